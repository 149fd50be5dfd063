// Validation of control-API request bodies and the error type the control API answers with.
// (The control API is a test harness: plain checks with clear messages are enough here.)

export class HttpError extends Error {
  constructor(status, message, extra = {}) {
    super(message);
    this.status = status;
    this.extra = extra;
  }
}

export function requireString(body, field) {
  const v = body?.[field];
  if (typeof v !== 'string' || v.length === 0) throw new HttpError(400, `"${field}" must be a non-empty string`);
  return v;
}

export function optionalString(body, field) {
  if (body?.[field] == null) return undefined;
  return requireString(body, field);
}

export function requireUrl(body, field) {
  const v = requireString(body, field);
  try {
    return new URL(v);
  } catch {
    throw new HttpError(400, `"${field}" must be an absolute URL`);
  }
}

export function optionalUrl(body, field) {
  if (body?.[field] == null) return undefined;
  return requireUrl(body, field);
}

/** A string or an array of non-empty strings (absent = []). */
export function stringList(body, field) {
  const v = body?.[field];
  if (v == null) return [];
  const list = Array.isArray(v) ? v : [v];
  if (!list.every((s) => typeof s === 'string' && s.length > 0)) {
    throw new HttpError(400, `"${field}" must be a non-empty string or an array of them`);
  }
  return list;
}

/** Like stringList, but every entry must be an absolute URL. */
export function urlList(body, field) {
  return stringList(body, field).map((s, i) => {
    try {
      return new URL(s);
    } catch {
      throw new HttpError(400, `"${field}[${i}]" must be an absolute URL`);
    }
  });
}

export function oneOf(body, field, allowed, fallback) {
  const v = body?.[field] ?? fallback;
  if (!allowed.includes(v)) throw new HttpError(400, `"${field}" must be one of ${allowed.join(', ')}`);
  return v;
}
