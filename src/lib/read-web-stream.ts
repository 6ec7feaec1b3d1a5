/**
 * Reads a Web `ReadableStream` as UTF-8 text, at most `maxBytes` of it. Shared by the fetch
 * adapter (request bodies) and the guarded fetch (responses on runtimes without undici).
 * @module
 */

/**
 * The stream's text, or `undefined` as soon as more than `maxBytes` arrived: reading stops and
 * the stream is cancelled without waiting (a tee branch's cancel settles only once its sibling is
 * cancelled too, so awaiting it could hang; nothing pulls the source any more either way).
 */
export async function readWebStreamText(
  stream: ReadableStream<Uint8Array>,
  maxBytes: number,
): Promise<string | undefined> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return decodeUtf8(chunks, size);
}

/** Concatenates chunks of a known total size and decodes them as UTF-8. */
export function decodeUtf8(chunks: readonly Uint8Array[], size: number): string {
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}
