// Golden-JSON comparison: expected outputs are reviewed files under ./golden. With
// UPDATE_GOLDEN=1 a missing file is written (then read and reviewed by hand before committing).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function expectGolden(name: string, actual: unknown): void {
  const file = join(__dirname, 'golden', `${name}.json`);
  const normalised = JSON.parse(JSON.stringify(actual)) as unknown;
  if (!existsSync(file)) {
    if (process.env.UPDATE_GOLDEN !== '1') throw new Error(`no golden file ${file}: run with UPDATE_GOLDEN=1 and review it`);
    writeFileSync(file, `${JSON.stringify(normalised, null, 2)}\n`);
  }
  expect(normalised).toEqual(JSON.parse(readFileSync(file, 'utf8')));
}
