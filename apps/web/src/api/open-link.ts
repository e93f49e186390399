/** Opens a download link (a signed URL from the API) as the browser's own download. */
export function openLink(url: string, fileName?: string) {
  const link = document.createElement('a');
  link.href = url;
  if (fileName) link.download = fileName;
  link.click();
}
