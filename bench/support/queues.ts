// What the benches read of a gateway's work: its BullMQ queues (depth, when jobs ran), a worker's
// /metrics, and a platform that counts the callbacks it gets.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE_NAMES, type QueueName, queuePrefix } from '../../config/queues';
import { REDIS_URL, onCleanup } from './processes';

export function openQueue(prefix: string, name: QueueName, redisUrl = REDIS_URL): Queue {
  const queue = new Queue(QUEUE_NAMES[name], { connection: new Redis(redisUrl, { maxRetriesPerRequest: null }), prefix: queuePrefix(prefix, name) });
  onCleanup(() => queue.close());
  return queue;
}

/** Jobs not yet finished (waiting, active, delayed, prioritized). */
export async function pending(queue: Queue): Promise<number> {
  const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
  return Object.values(c).reduce((a, b) => a + b, 0);
}

/** From the first job's start to the last one's end, over the completed jobs kept. */
export async function completedSpan(queue: Queue): Promise<{ jobs: number; failed: number; firstStart: number; lastEnd: number }> {
  const jobs = await queue.getJobs(['completed'], 0, -1);
  const failed = (await queue.getJobCounts('failed')).failed ?? 0;
  let firstStart = Infinity;
  let lastEnd = 0;
  for (const j of jobs) {
    firstStart = Math.min(firstStart, j.processedOn ?? Infinity);
    lastEnd = Math.max(lastEnd, j.finishedOn ?? 0);
  }
  return { jobs: jobs.length, failed, firstStart, lastEnd };
}

/** Sum of a Prometheus counter's series by one label, from a /metrics text. */
export function counterByLabel(metrics: string, name: string, label: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of metrics.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    const key = new RegExp(`${label}="([^"]*)"`).exec(line)?.[1] ?? '';
    out[key] = (out[key] ?? 0) + value;
  }
  return out;
}

export interface CountingPlatform {
  url: string;
  /** callbacks received */
  count(): number;
  /** Date.now() of the last one */
  lastAt(): number;
}

/** Stands in for the platform's callback endpoint: answers 200 to every POST and counts them. */
export async function startCountingPlatform(): Promise<CountingPlatform> {
  let count = 0;
  let lastAt = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      count++;
      lastAt = Date.now();
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  onCleanup(() => new Promise<void>((r) => {
    server.close(() => r());
    server.closeAllConnections();
  }));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/callbacks`, count: () => count, lastAt: () => lastAt };
}
