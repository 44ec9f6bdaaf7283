/**
 * `npm run bench -- <name>` runs bench/<name>.ts; arguments after the name reach the bench as
 * process.argv[2..]. Without a known name it lists the benches.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((file) => file.endsWith('.ts') && file !== 'run.ts')
  .map((file) => file.slice(0, -'.ts'.length))
  .sort();
const name = process.argv[2];
if (name === undefined || !available.includes(name)) {
  console.error(`usage: npm run bench -- <name>\navailable: ${available.join(', ') || '(none)'}`);
  process.exit(2);
}
process.argv.splice(2, 1);
await import(pathToFileURL(path.join(here, `${name}.ts`)).href);
