/** Multipart bodies for upload tests, built by hand so the bytes sent are exactly these. */

/** A multipart body with one `file` part per image. */
export function multipart(files: { name: string; bytes: Uint8Array; field?: string }[]) {
  const boundary = '----qrforge-test-boundary';
  const parts = files.flatMap(({ name, bytes, field = 'file' }) => [
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    ),
    Buffer.from(bytes),
    Buffer.from('\r\n'),
  ]);
  return {
    payload: Buffer.concat([...parts, Buffer.from(`--${boundary}--\r\n`)]),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}
