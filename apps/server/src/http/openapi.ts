import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';

/**
 * OpenAPI from the same zod schemas the handlers validate with: each route declares its
 * schemas once, handlers parse with them (typed errors), and @fastify/swagger turns the
 * declarations into the document served at /api/docs. Fastify's own (Ajv) validation is
 * switched off so there is exactly one validator.
 */

type Json = Record<string, unknown>;

function json(schema: z.ZodType): Json {
  return z.toJSONSchema(schema, {
    io: 'input',
    target: 'openapi-3.0',
    unrepresentable: 'any',
  }) as Json;
}

const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

export interface RouteDoc {
  summary: string;
  tags: string[];
  /** Needs `Authorization: Bearer <token>`. */
  auth?: boolean;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** The success body, or null for 204. */
  response?: z.ZodType | null;
  status?: number;
}

/** The `schema` option of a Fastify route, for documentation only. */
export function doc(route: RouteDoc): { schema: Json } {
  const status = route.status ?? (route.response === null ? 204 : 200);
  const success =
    route.response === null
      ? { description: 'done' }
      : { description: 'success', ...(route.response === undefined ? {} : json(route.response)) };
  return {
    schema: {
      summary: route.summary,
      tags: route.tags,
      ...(route.auth === true ? { security: [{ bearer: [] }] } : {}),
      ...(route.params === undefined ? {} : { params: json(route.params) }),
      ...(route.query === undefined ? {} : { querystring: json(route.query) }),
      ...(route.body === undefined ? {} : { body: json(route.body) }),
      response: {
        [status]: success,
        '4XX': { description: 'refused: see error.code', ...json(ErrorBody) },
      },
    },
  };
}

/** Registers the document generator; call before the plugin that adds the routes. */
export function registerOpenApi(app: FastifyInstance): void {
  // Handlers validate with zod; the route schemas are there for the document only.
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  void app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Hubbub API',
        version: '1',
        description:
          'REST side of Hubbub. Real-time traffic uses the WebSocket protocol at /ws (docs/protocol.md). ' +
          'Errors are {"error":{"code","message"}} with the codes of the protocol.',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
    },
  });
}
