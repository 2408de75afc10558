/** Baseline: a bare streaming saxes pass over the file (elements counted, nothing built). Prints JSON. */
import { createReadStream } from 'node:fs';
import { SaxesParser } from 'saxes';

const file = process.argv[2];
const t0 = performance.now();
const parser = new SaxesParser({ xmlns: false });
let elements = 0;
parser.on('opentag', () => { elements++; });
for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) parser.write(chunk as string);
parser.close();
const ms = performance.now() - t0;
process.stdout.write(JSON.stringify({ ms, elements, peakRssMb: process.resourceUsage().maxRSS / 1024 }) + '\n');
