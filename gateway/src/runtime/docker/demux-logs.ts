/**
 * Docker multiplexes stdout and stderr of a container without a TTY into
 * frames: 8 header bytes (stream 0/1/2, three zeros, big-endian length), then
 * the payload (Engine API, "Attach to a container", stream format). This
 * returns the payloads in order as text; input that is not framed (a TTY
 * container) is returned as it is.
 */
export function demuxLogs(raw: Buffer): string {
  const parts: Buffer[] = [];
  let at = 0;
  while (at + 8 <= raw.length) {
    const kind = raw[at]!;
    if (kind > 2 || raw[at + 1] !== 0 || raw[at + 2] !== 0 || raw[at + 3] !== 0) {
      return at === 0 ? raw.toString('utf8') : Buffer.concat([...parts, raw.subarray(at)]).toString('utf8');
    }
    const size = raw.readUInt32BE(at + 4);
    parts.push(raw.subarray(at + 8, at + 8 + size));
    at += 8 + size;
  }
  if (at < raw.length && parts.length === 0) return raw.toString('utf8');
  return Buffer.concat(parts).toString('utf8');
}
