/**
 * Reads codes from the camera: the browser's own BarcodeDetector where it has one (Chrome on
 * Android and macOS), else ZXing-C++ (zxing-wasm) on a downscaled frame. A few frames a second
 * are enough for a person holding a part up, and leave the phone's CPU cool.
 */
import { readBarcodes } from 'zxing-wasm/reader';
import { zxingReady } from '../zxing.js';

/** Frames looked at per second. */
const FRAMES_PER_SECOND = 5;
/** Frames are scaled down to this width before ZXing reads them (phone cameras give 1080p+). */
const FRAME_WIDTH = 640;
/**
 * A code still in view is not read again; once out of view this long, showing it again is a new
 * scan (which the server then calls a duplicate).
 */
export const REARM_MS = 1500;

interface DetectedBarcode {
  rawValue: string;
}
interface BarcodeDetectorLike {
  detect(source: HTMLVideoElement): Promise<DetectedBarcode[]>;
}
type BarcodeDetectorClass = new (options: { formats: string[] }) => BarcodeDetectorLike;

async function nativeDetector(): Promise<BarcodeDetectorLike | undefined> {
  const Detector = (
    globalThis as {
      BarcodeDetector?: BarcodeDetectorClass & {
        getSupportedFormats(): Promise<string[]>;
      };
    }
  ).BarcodeDetector;
  if (!Detector) return undefined;
  const supported = await Detector.getSupportedFormats();
  if (!supported.includes('qr_code')) return undefined;
  return new Detector({
    formats: ['qr_code', 'data_matrix', 'code_128'].filter((f) => supported.includes(f)),
  });
}

export interface CameraReader {
  /** Which decoder reads the frames. */
  decoder: 'BarcodeDetector' | 'zxing-wasm';
  stop(): void;
}

/**
 * Opens the rear camera into `video` and calls `onRead` once per code that comes into view.
 * Throws when there is no camera or permission is refused (the page then offers photo upload).
 */
export async function startCamera(
  video: HTMLVideoElement,
  onRead: (text: string) => void,
): Promise<CameraReader> {
  const stream = await navigator.mediaDevices.getUserMedia({
    video: { facingMode: 'environment', width: { ideal: 1280 } },
    audio: false,
  });
  video.srcObject = stream;
  video.muted = true;
  video.playsInline = true;
  await video.play();
  const native = await nativeDetector();
  if (!native) await zxingReady();
  const canvas = document.createElement('canvas');
  const lastSeen = new Map<string, number>();
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const texts = async (): Promise<string[]> => {
    if (native) return (await native.detect(video)).map((code) => code.rawValue);
    const scale = Math.min(1, FRAME_WIDTH / (video.videoWidth || FRAME_WIDTH));
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    if (!canvas.width || !canvas.height) return [];
    const context = canvas.getContext('2d', { willReadFrequently: true })!;
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    const results = await readBarcodes(context.getImageData(0, 0, canvas.width, canvas.height), {
      formats: ['QRCode', 'MicroQRCode', 'DataMatrix', 'Code128'],
      tryHarder: true,
      maxNumberOfSymbols: 8,
    });
    return results.filter((r) => r.isValid).map((r) => r.text);
  };

  const tick = async () => {
    if (stopped) return;
    try {
      const now = Date.now();
      for (const text of await texts()) {
        const seen = lastSeen.get(text);
        lastSeen.set(text, now);
        if (seen === undefined || now - seen > REARM_MS) onRead(text);
      }
    } catch {
      // A frame that cannot be read (the camera still starting) is skipped.
    }
    if (!stopped) timer = setTimeout(() => void tick(), 1000 / FRAMES_PER_SECOND);
  };
  void tick();
  return {
    decoder: native ? 'BarcodeDetector' : 'zxing-wasm',
    stop() {
      stopped = true;
      clearTimeout(timer);
      for (const track of stream.getTracks()) track.stop();
      video.srcObject = null;
    },
  };
}

/** A short beep and a buzz: high and short for ok, low and double for anything else. */
export function signal(ok: boolean) {
  navigator.vibrate?.(ok ? 60 : [60, 40, 60]);
  try {
    const audio = new AudioContext();
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.frequency.value = ok ? 1200 : 300;
    gain.gain.value = 0.1;
    tone.connect(gain).connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + (ok ? 0.08 : 0.25));
    tone.onended = () => void audio.close();
  } catch {
    // No audio output: the vibration and the screen still say it.
  }
}
