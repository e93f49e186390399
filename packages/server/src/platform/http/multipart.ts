/**
 * Reading multipart uploads (@fastify/multipart) so that a body which is not valid multipart — no
 * boundary, cut short, no closing boundary, a malformed part header — is the client's 400 naming
 * the problem. busboy reports these as bare Errors with no status, which became 500s (found by the
 * contract probe, resilience/contract-probe.test.ts). Only the parser's own steps are wrapped, so
 * a fault of ours while handling a part stays a 500.
 */
import type { FastifyError } from 'fastify';
import { AppError } from '../../errors.js';

/** busboy's error as a problem; errors that have a status (limits: 413) keep it. */
export function malformedMultipart(error: unknown): unknown {
  if (error instanceof AppError || (error as FastifyError).statusCode) return error;
  const message = (error as Error).message ?? String(error);
  return new AppError('HTTP_ERR_MULTIPART', `The multipart body is malformed: ${message}`);
}

/** The parts of an upload, with the parser's errors made problems. */
export async function* multipartParts<T>(parts: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = parts[Symbol.asyncIterator]();
  for (;;) {
    let step: IteratorResult<T>;
    try {
      step = await iterator.next();
    } catch (error) {
      throw malformedMultipart(error);
    }
    if (step.done) return;
    yield step.value;
  }
}

/** A file part's bytes; a body cut short inside the file is a problem too. */
export function partBytes(part: { toBuffer(): Promise<Buffer> }): Promise<Buffer> {
  return part.toBuffer().catch((error: unknown) => {
    throw malformedMultipart(error);
  });
}
