// The CLI's side of the admin HTTP API: bearer token, JSON in and out, every refusal as the
// gateway's problem+json (or one made up when the answer is not one, or there is no answer).

export interface Problem {
  status?: number;
  title: string;
  detail?: string;
  [extra: string]: unknown;
}

export class AdminApiError extends Error {
  /** `unreachable`: no HTTP answer at all (exit code 3); otherwise the gateway refused (exit code 1). */
  constructor(readonly problem: Problem, readonly unreachable = false) {
    super([problem.status, problem.title].filter(Boolean).join(' ') + (problem.detail ? `: ${problem.detail}` : ''));
  }
}

export interface AdminResponse<T> {
  status: number;
  body: T;
}

export type AdminClient = <T = unknown>(method: 'GET' | 'PUT' | 'POST' | 'DELETE', path: string, body?: unknown) => Promise<AdminResponse<T>>;

export function adminClient(baseUrl: string, token: string): AdminClient {
  const base = baseUrl.replace(/\/+$/, '');
  return async <T>(method: string, path: string, body?: unknown) => {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, accept: 'application/json, application/problem+json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (e) {
      // fetch says only "fetch failed"; the cause has the code (ECONNREFUSED, ENOTFOUND…).
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new AdminApiError({ title: 'Unreachable', detail: `cannot reach ${base}: ${cause?.code ?? cause?.message ?? (e as Error).message}` }, true);
    }
    const text = await res.text();
    const parsed = parseJson(text);
    if (!res.ok) {
      const problem = isProblem(parsed) ? parsed : { status: res.status, title: res.statusText || 'Error', ...(text ? { detail: text.slice(0, 200) } : {}) };
      throw new AdminApiError({ ...problem, status: res.status });
    }
    // Another server at --url (a proxy's page, a wrong port) is not mistaken for an answer.
    if (res.status !== 204 && parsed === undefined) {
      throw new AdminApiError({ status: res.status, title: 'Not the admin API', detail: `${base}${path} answered ${res.status} without JSON: is --url the gateway?` });
    }
    return { status: res.status, body: parsed as T };
  };
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const isProblem = (v: unknown): v is Problem => typeof v === 'object' && v !== null && typeof (v as Problem).title === 'string';
