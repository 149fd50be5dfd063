// The Date header of a signed request (IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"), formatted
// once per second: a fan-out signs thousands of requests within the same second.
let last = { second: Number.NaN, text: '' };

export function httpDate(now: Date): string {
  const second = Math.floor(now.getTime() / 1000);
  if (second !== last.second) last = { second, text: now.toUTCString() };
  return last.text;
}
