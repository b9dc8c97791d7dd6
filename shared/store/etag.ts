/** Strips quotes and a weak-validator prefix so `"abc"`, `abc` and `W/"abc"` compare equal. */
export function normalizeEtag(etag: string): string {
  return etag.trim().replace(/^W\//, "").replaceAll('"', "");
}
