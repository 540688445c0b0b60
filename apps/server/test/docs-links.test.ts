import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

/**
 * The repository's documents must work for anyone who clones it: no link may leave the
 * repository or point at a file that is not in it, and docs/architecture.md may cite only
 * files and test names that exist (it promises a test for each invariant).
 */

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Every file git tracks, as paths from the root with `/` separators. */
function trackedFiles(): string[] {
  return execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' })
    .split('\0')
    .filter((path) => path !== '');
}

const tracked = trackedFiles();
const trackedSet = new Set(tracked);
/** Directories that hold tracked files: a link to one is fine. */
const trackedDirs = new Set(
  tracked.flatMap((path) =>
    path
      .split('/')
      .slice(0, -1)
      .map((_, i, parts) => parts.slice(0, i + 1).join('/')),
  ),
);

/** The text without fenced code blocks and inline code, where `[x](y)` is not a link. */
function prose(markdown: string): string {
  return markdown
    .replace(/^ {0,3}(`{3,}|~{3,})[^\n]*\n[\s\S]*?^ {0,3}\1[^\n]*$/gm, '')
    .replace(/``[^`]*``|`[^`\n]*`/g, '');
}

/** Link targets: inline links and images, reference definitions, HTML href and src. */
function linkTargets(markdown: string): string[] {
  const text = prose(markdown);
  const targets: string[] = [];
  for (const m of text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g))
    targets.push(m[1]!);
  for (const m of text.matchAll(/^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/gm)) targets.push(m[1]!);
  for (const m of text.matchAll(/<(?:a|img)\b[^>]*?\s(?:href|src)\s*=\s*["']([^"']+)["']/gi))
    targets.push(m[1]!);
  return targets;
}

/** What is wrong with a link from `file` (a path from the root), or undefined if nothing. */
function linkProblem(file: string, target: string): string | undefined {
  if (target.startsWith('#')) return undefined;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(target)?.[1]?.toLowerCase();
  if (scheme !== undefined) {
    return ['http', 'https', 'mailto'].includes(scheme)
      ? undefined
      : `a ${scheme}: link leaves the repository`;
  }
  if (target.startsWith('/')) return 'an absolute path: link relatively, from the file';
  const path = decodeURIComponent(target.replace(/[?#].*$/, ''));
  if (path === '') return undefined;
  const absolute = resolve(root, dirname(file), path);
  const fromRoot = relative(root, absolute).replaceAll('\\', '/');
  if (fromRoot.startsWith('..') || isAbsolute(fromRoot)) return 'points outside the repository';
  if (fromRoot === '') return undefined;
  if (!existsSync(join(root, fromRoot))) return `${fromRoot} does not exist`;
  if (!trackedSet.has(fromRoot) && !trackedDirs.has(fromRoot))
    return `${fromRoot} is not tracked by git (a clone would not have it)`;
  return undefined;
}

function linkProblems(file: string, markdown: string): string[] {
  return linkTargets(markdown).flatMap((target) => {
    const problem = linkProblem(file, target);
    return problem === undefined ? [] : [`${file}: (${target}) ${problem}`];
  });
}

describe('documents stay inside the repository', () => {
  test('the checker flags links that leave the repository, miss, or are absolute', () => {
    const sample = [
      '[design](../../shared/ARCHITECTURE.md) [gone](missing.md) [root](/docs/auth.md)',
      '[local](file:///etc/passwd) [ok](auth.md#tokens) [web](https://example.com)',
      '[self](#top) ![chart](benchmarks/fanout-1k.svg) <a href="../../outside.md">x</a>',
      '[ref]: ../../../elsewhere.md',
      '`[code](../not-a-link.md)`',
      '```',
      '[fenced](../not-a-link-either.md)',
      '```',
    ].join('\n');
    expect(linkProblems('docs/sample.md', sample)).toEqual([
      'docs/sample.md: (../../shared/ARCHITECTURE.md) points outside the repository',
      'docs/sample.md: (missing.md) docs/missing.md does not exist',
      'docs/sample.md: (/docs/auth.md) an absolute path: link relatively, from the file',
      'docs/sample.md: (file:///etc/passwd) a file: link leaves the repository',
      'docs/sample.md: (../../../elsewhere.md) points outside the repository',
      'docs/sample.md: (../../outside.md) points outside the repository',
    ]);
    expect(linkProblems('README.md', '[design](../shared/ARCHITECTURE.md)')).toEqual([
      'README.md: (../shared/ARCHITECTURE.md) points outside the repository',
    ]);
  });

  test('every relative link in a tracked Markdown file points at a tracked file inside it', () => {
    const markdown = tracked.filter((path) => path.endsWith('.md'));
    expect(markdown).toContain('README.md');
    expect(markdown).toContain('docs/architecture.md');
    const problems = markdown
      .filter((file) => existsSync(join(root, file)))
      .flatMap((file) => linkProblems(file, readFileSync(join(root, file), 'utf8')));
    expect(problems).toEqual([]);
  });

  test('architecture.md cites only files and tests that exist', () => {
    const doc = readFileSync(join(root, 'docs/architecture.md'), 'utf8');
    const topLevel = new Set(tracked.map((path) => path.split('/')[0]));

    // Every path in backticks that starts in the repository (not `DATA_DIR/...`) exists.
    const paths = [...doc.matchAll(/`([\w.-]+(?:\/[\w.-]+)+)`/g)]
      .map((m) => m[1]!)
      .filter((path) => topLevel.has(path.split('/')[0]!));
    const missing = paths.filter((path) => !trackedSet.has(path) && !trackedDirs.has(path));
    expect(missing).toEqual([]);

    // A citation is a path in backticks followed by the quoted names of tests in that file.
    const citations = [
      ...doc.matchAll(/`([\w.-]+(?:\/[\w.-]+)+\.tsx?)`((?:\s*(?:,|;|and)?\s*"[^"\n]+")+)/g),
    ].map((m) => ({
      file: m[1]!,
      names: [...m[2]!.matchAll(/"([^"\n]+)"/g)].map((n) => n[1]!),
    }));
    const testFiles = new Set(citations.map((c) => c.file).filter((f) => /\.test\.tsx?$/.test(f)));
    expect(testFiles.size).toBeGreaterThan(10);
    const unknown = citations.flatMap(({ file, names }) => {
      if (!trackedSet.has(file)) return [`${file} does not exist`];
      const source = readFileSync(join(root, file), 'utf8');
      return names
        .filter((name) => !source.includes(name) && !source.includes(name.replaceAll("'", "\\'")))
        .map((name) => `${file} has no test "${name}"`);
    });
    expect(unknown).toEqual([]);
  });
});
