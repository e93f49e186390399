/**
 * The qrforge-qr command: files it writes decode, terminal output has the code, errors name the
 * problem and exit non-zero.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { decodeQr } from './helpers/zxing.js';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '../src/cli.ts');

function qrforgeQr(...args: string[]) {
  return run(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: import.meta.dirname });
}

describe('qrforge-qr', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qrforge-cli-'));

  it('marks non-ASCII text as UTF-8 (ECI) by default; --eci off leaves it out', async () => {
    const read = async (...args: string[]) => {
      const file = join(dir, `eci-${args.length}.png`);
      await qrforgeQr('Grüße 東京', '-o', file, ...args);
      const [result] = await decodeQr(readFileSync(file));
      return [result.text, result.hasECI];
    };
    expect(await read()).toEqual(['Grüße 東京', true]);
    expect((await read('--eci', 'off'))[1]).toBe(false);
    await expect(qrforgeQr('x', '--eci', 'sometimes')).rejects.toThrow(/eci/);
  });

  it('writes a PNG that decodes, with the options given', async () => {
    const file = join(dir, 'code.png');
    const { stderr } = await qrforgeQr(
      'PAD-V0100-L2025-09-00001',
      '-o',
      file,
      '--ecc',
      'Q',
      '--scale',
      '5',
      '--dark',
      '#223344',
    );
    expect(stderr).toMatch(/version 2-Q/);
    const [result] = await decodeQr(readFileSync(file));
    expect(result.text).toBe('PAD-V0100-L2025-09-00001');
    expect(result.ecLevel).toBe('Q');
  });

  it('writes an SVG', async () => {
    const file = join(dir, 'code.svg');
    await qrforgeQr('hello', '-o', file, '--margin', '2');
    expect(readFileSync(file, 'utf8')).toMatch(/^<svg [^>]*viewBox="0 0 25 25"/);
  });

  it('prints the code to the terminal without -o', async () => {
    const { stdout } = await qrforgeQr('hello');
    expect(stdout.split('\n').length).toBeGreaterThan(10);
    expect(stdout).toMatch(/[▀▄█]/);
  });

  it('names a bad option and exits 1', async () => {
    await expect(qrforgeQr('hello', '--ecc', 'Z')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/Invalid ecc="Z"/) as unknown,
    });
    await expect(qrforgeQr('x'.repeat(3000), '--ecc', 'H')).rejects.toMatchObject({
      stderr: expect.stringMatching(/Data too long/) as unknown,
    });
  });
});
