/**
 * ZXing-C++ in the browser (zxing-wasm), loaded on first use. Its .wasm is bundled from
 * node_modules and served by us, never fetched from a CDN.
 */
import { prepareZXingModule } from 'zxing-wasm/reader';
import wasmUrl from 'zxing-wasm/reader/zxing_reader.wasm?url';

let ready: Promise<unknown> | undefined;

export function zxingReady(): Promise<unknown> {
  ready ??= prepareZXingModule({
    overrides: {
      locateFile: (path: string, prefix: string) =>
        path.endsWith('.wasm') ? wasmUrl : prefix + path,
    },
    fireImmediately: true,
  });
  return ready;
}
