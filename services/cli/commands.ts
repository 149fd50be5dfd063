// The admin subcommands: each calls the admin HTTP API and says what it got twice, as JSON for
// scripts (--json) and as text for people. Input is checked by the gateway, which names the field.
import type { ParseArgsConfig } from 'node:util';
import type { DomainBlock } from '../store/domain-blocks';
import type { DomainHealth } from '../store/domain-health';
import type { FailedJob, QueueCounts, RetryResult } from '../queue/admin-schemas';
import type { AdminClient } from './admin-client';
import { table } from './table';

export class UsageError extends Error {}

export interface CommandContext {
  api: AdminClient;
  /** positional arguments after the command's words */
  args: string[];
  values: Record<string, string | boolean | undefined>;
}

export interface Outcome {
  json: unknown;
  text: string;
  /** 1 when the gateway answered but did not do all that was asked */
  exitCode?: number;
}

export interface Command {
  words: string[];
  synopsis: string;
  summary: string;
  options?: NonNullable<ParseArgsConfig['options']>;
  args: { min: number; max: number };
  run(ctx: CommandContext): Promise<Outcome>;
}

const path = (...parts: string[]) => parts.map(encodeURIComponent).join('/');
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const queues: Command = {
  words: ['queues'],
  synopsis: '',
  summary: 'jobs per queue: waiting, active, delayed, failed, completed',
  args: { min: 0, max: 0 },
  async run({ api }) {
    const { body } = await api<{ queues: QueueCounts[] }>('GET', '/admin/jobs');
    const text = table(body.queues, [
      { header: 'queue', cell: (q) => q.queue },
      { header: 'waiting', cell: (q) => q.waiting },
      { header: 'active', cell: (q) => q.active },
      { header: 'delayed', cell: (q) => q.delayed },
      { header: 'failed', cell: (q) => q.failed },
      { header: 'completed', cell: (q) => q.completed },
    ]);
    return { json: body, text };
  },
};

const failed: Command = {
  words: ['failed'],
  synopsis: '<queue> [--limit N]',
  summary: 'the most recently failed jobs of a queue (limit: 50, at most 500)',
  options: { limit: { type: 'string' } },
  args: { min: 1, max: 1 },
  async run({ api, args, values }) {
    const [queue] = args as [string];
    const limit = typeof values.limit === 'string' ? `?limit=${encodeURIComponent(values.limit)}` : '';
    const { body } = await api<{ queue: string; failed: number; items: FailedJob[] }>('GET', `/admin/jobs/${path(queue)}/failed${limit}`);
    if (body.items.length === 0) return { json: body, text: `no failed jobs in ${body.queue}` };
    const rows = table(body.items, [
      { header: 'id', cell: (j) => j.id },
      { header: 'name', cell: (j) => j.name },
      { header: 'attempts', cell: (j) => `${j.attemptsMade}/${j.attempts}` },
      { header: 'finished', cell: (j) => j.finishedOn ?? '' },
      { header: 'reason', cell: (j) => j.failedReason },
    ]);
    return { json: body, text: `${rows}\n${body.items.length} of ${plural(body.failed, 'failed job')} in ${body.queue}, newest first` };
  },
};

const retry: Command = {
  words: ['retry'],
  synopsis: '<queue> (<jobId>... | --all)',
  // Ids are base64url: one starting with '-' goes after `--` (fedigate retry delivery -- -Xy…).
  summary: 'run failed jobs again, their attempts reset (named, or all)',
  options: { all: { type: 'boolean' } },
  args: { min: 1, max: Infinity },
  async run({ api, args, values }) {
    const [queue, ...jobIds] = args as [string, ...string[]];
    if (values.all && jobIds.length) throw new UsageError('give job ids or --all, not both');
    if (!values.all && !jobIds.length) throw new UsageError('give the failed job ids to retry, or --all');
    const { body } = await api<RetryResult>('POST', `/admin/jobs/${path(queue)}/retry`, values.all ? { all: true } : { jobIds });
    const lines = [`retried ${plural(body.retried, 'job')} in ${body.queue}`];
    for (const n of body.notRetried) lines.push(`not retried: ${n.jobId}: ${n.reason === 'not_found' ? 'no such job' : `not failed (${n.state ?? 'unknown'})`}`);
    // Named jobs that were not retried are a failure; with --all they had simply stopped being failed.
    return { json: body, text: lines.join('\n'), exitCode: !values.all && body.notRetried.length ? 1 : 0 };
  },
};

const domainHealth: Command = {
  words: ['domain', 'health'],
  synopsis: '<domain>',
  summary: "a server's delivery health: failure days, availability, breaker",
  args: { min: 1, max: 1 },
  async run({ api, args }) {
    const { body: h } = await api<DomainHealth>('GET', `/admin/domains/${path(args[0]!)}/health`);
    const rows: Array<[string, string]> = [
      ['domain', h.domain],
      ['available', h.available ? 'yes' : `no (since ${h.unavailable?.since ?? '?'}, ${h.unavailable?.reason === 'gone' ? 'shared inbox gone' : 'failing on 7 days'})`],
      ['failure days', h.failureDays.length ? h.failureDays.join(', ') : 'none'],
      ['breaker', h.breaker.open ? `open until ${h.breaker.openUntil}` : 'closed'],
      ['network failures in a row', String(h.breaker.consecutiveNetworkFailures)],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    return { json: h, text: rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n') };
  },
};

const domainBlock: Command = {
  words: ['domain', 'block'],
  synopsis: '<domain> [--comment TEXT]',
  summary: 'block it and its subdomains; a new block drops its followers',
  options: { comment: { type: 'string' } },
  args: { min: 1, max: 1 },
  async run({ api, args, values }) {
    const body = typeof values.comment === 'string' ? { comment: values.comment } : {};
    const { status, body: block } = await api<DomainBlock>('PUT', `/admin/domain-blocks/${path(args[0]!)}`, body);
    const text = status === 201 ? `blocked ${block.domain}; its followers are being removed` : `updated the block of ${block.domain} (since ${block.createdAt})`;
    return { json: block, text };
  },
};

const domainUnblock: Command = {
  words: ['domain', 'unblock'],
  synopsis: '<domain>',
  summary: 'lift a block (dropped followers stay dropped)',
  args: { min: 1, max: 1 },
  async run({ api, args }) {
    await api('DELETE', `/admin/domain-blocks/${path(args[0]!)}`);
    // 204 has no body: the JSON says what was done.
    return { json: { domain: args[0], lifted: true }, text: `lifted the block of ${args[0]}` };
  },
};

const domainBlocks: Command = {
  words: ['domain', 'blocks'],
  synopsis: '',
  summary: 'every blocked domain',
  args: { min: 0, max: 0 },
  async run({ api }) {
    const { body } = await api<{ items: DomainBlock[] }>('GET', '/admin/domain-blocks');
    if (body.items.length === 0) return { json: body, text: 'no blocked domains' };
    const text = table(body.items, [
      { header: 'domain', cell: (b) => b.domain },
      { header: 'since', cell: (b) => b.createdAt },
      { header: 'comment', cell: (b) => b.comment ?? '' },
    ]);
    return { json: body, text };
  },
};

export const COMMANDS: Command[] = [queues, failed, retry, domainHealth, domainBlock, domainUnblock, domainBlocks];
