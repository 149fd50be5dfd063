// Locates the shared published test vectors (never copied into the repo).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const HTTPSIG_FIXTURES = path.resolve(__dirname, '../../../../shared/fixtures/http-signatures');
export const CAVAGE_DIR = path.join(HTTPSIG_FIXTURES, 'cavage-12');
export const RFC9421_DIR = path.join(HTTPSIG_FIXTURES, 'rfc9421');

/** `describe`, or `describe.skip` with the reason in the title and a console note. */
export function describeWithFixtures(dir: string): jest.Describe {
  if (existsSync(dir)) return describe;
  // eslint-disable-next-line no-console
  console.warn(`SKIPPING: http-signature fixtures not found at ${dir}`);
  return ((name: string, fn: () => void) => describe.skip(`${name} (SKIPPED: fixtures missing at ${dir})`, fn)) as jest.Describe;
}

export function readFixture(dir: string, file: string): string {
  return readFileSync(path.join(dir, file), 'utf8');
}
