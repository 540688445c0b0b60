import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** Every header line as sent, names lower-cased: a header sent twice is here twice. */
  lines: Array<[name: string, value: string]>;
  body: string;
}

/**
 * A GET with exactly the headers given, Host included (which fetch will not set), over
 * HTTP or HTTPS; a test proxy's self-signed certificate is accepted.
 */
export function rawGet(url: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  const request = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, rejectUnauthorized: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => {
        const raw = response.rawHeaders;
        const lines: Array<[string, string]> = [];
        for (let i = 0; i + 1 < raw.length; i += 2)
          lines.push([(raw[i] ?? '').toLowerCase(), raw[i + 1] ?? '']);
        resolve({ status: response.statusCode ?? 0, headers: response.headers, lines, body });
      });
    });
    req.on('error', reject);
    req.end();
  });
}
