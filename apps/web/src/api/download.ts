/** Saves a Blob (a file fetched with the caller's credentials) as the browser's own download. */
import { openLink } from './open-link.js';

export function saveBlob(blob: Blob, fileName: string) {
  const url = URL.createObjectURL(blob);
  openLink(url, fileName);
  // The click has started the download; the URL can go once the browser has read it.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
