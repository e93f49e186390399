#!/usr/bin/env node
/**
 * qrforge-qr: draw a QR code from the command line.
 *   qrforge-qr "text" -o out.png|out.svg   writes a file (format from the extension)
 *   qrforge-qr "text"                      prints the code to the terminal
 */
import { writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parseArgs } from 'node:util';
import { encodeText, type ErrorCorrectionLevel } from './index.js';
import { renderPng } from './render/png.js';
import { renderSvg } from './render/svg.js';
import { renderText } from './render/text.js';

const HELP = `Usage: qrforge-qr <text> [options]

Draws a QR code for <text>. Without -o it prints the code to the terminal.

Options:
  -o, --output <file>   write a .png or .svg file
  -e, --ecc <L|M|Q|H>   error-correction level (default M)
  -v, --version <1-40>  fixed symbol version (default: smallest that fits)
  -s, --scale <n>       PNG pixels per module (default 8)
  -m, --margin <n>      quiet zone in modules (default 4)
      --dark <colour>   dark module colour, e.g. #112233 (default black)
      --light <colour>  background colour, or "transparent" (default white)
      --mask <0-7>      fixed data mask (default: lowest penalty)
      --eci <auto|on|off>  announce UTF-8 (ECI 26): auto adds it when the text is
                        not all ASCII (default); off for old readers
  -h, --help            show this help
`;

const ECI: Record<string, boolean | 'auto'> = { auto: 'auto', on: true, off: false };

function main(argv: string[]): number {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      output: { type: 'string', short: 'o' },
      ecc: { type: 'string', short: 'e' },
      version: { type: 'string', short: 'v' },
      scale: { type: 'string', short: 's' },
      margin: { type: 'string', short: 'm' },
      dark: { type: 'string' },
      light: { type: 'string' },
      mask: { type: 'string' },
      eci: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || positionals.length === 0) {
    process.stdout.write(HELP);
    return values.help ? 0 : 2;
  }
  const number = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const version = number(values.version);
  const qr = encodeText(positionals.join(' '), {
    ecc: (values.ecc?.toUpperCase() ?? 'M') as ErrorCorrectionLevel,
    minVersion: version,
    maxVersion: version,
    mask: number(values.mask),
    eci: ECI[values.eci ?? 'auto'] ?? (values.eci as never),
  });
  const style = { margin: number(values.margin), dark: values.dark, light: values.light };
  if (!values.output) {
    process.stdout.write(renderText(qr, { margin: style.margin ?? 2 }));
    return 0;
  }
  const ext = extname(values.output).toLowerCase();
  if (ext === '.svg') writeFileSync(values.output, renderSvg(qr, style));
  else if (ext === '.png')
    writeFileSync(values.output, renderPng(qr, { ...style, scale: number(values.scale) }));
  else throw new Error(`Unknown output format "${ext}": use .png or .svg`);
  process.stderr.write(`${values.output}: version ${qr.version}-${qr.ecc}, mask ${qr.mask}\n`);
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`qrforge-qr: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
