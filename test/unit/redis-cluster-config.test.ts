// REDIS_CLUSTER_NODES: seed nodes of a Redis Cluster; a bad list, or one beside REDIS_URL, stops
// start-up naming the variable. Unset, the gateway talks to the one Redis at REDIS_URL.
import { ConfigError } from '../../config/env';
import { redisTarget } from '../../services/gateway';
import { testConfig } from '../support/test-config';

const problemsOf = (env: Record<string, string>) => {
  try {
    testConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
};

test('host:port seeds (names, IPv4, bracketed IPv6) become the cluster target', () => {
  const config = testConfig({ REDIS_URL: '', REDIS_CLUSTER_NODES: 'redis-0.redis:6379, 10.0.0.2:7001,[::1]:7002' });
  expect(config.redisClusterNodes).toEqual([{ host: 'redis-0.redis', port: 6379 }, { host: '10.0.0.2', port: 7001 }, { host: '::1', port: 7002 }]);
  expect(redisTarget(config)).toEqual({ clusterNodes: config.redisClusterNodes });
});

test('unset: one Redis, REDIS_URL or the default', () => {
  expect(redisTarget(testConfig({ REDIS_URL: 'redis://10.0.0.9:6380' }))).toEqual({ url: 'redis://10.0.0.9:6380' });
  expect(redisTarget(testConfig({ REDIS_URL: '' }))).toEqual({ url: 'redis://127.0.0.1:6379' });
  expect(testConfig().redisClusterNodes).toBeUndefined();
});

test('a bad list, or both variables, is refused naming REDIS_CLUSTER_NODES', () => {
  expect(problemsOf({ REDIS_URL: '', REDIS_CLUSTER_NODES: 'redis-0:6379,nope' })).toEqual(['REDIS_CLUSTER_NODES: "nope" is not host:port (a comma-separated list of host:port)']);
  expect(problemsOf({ REDIS_URL: '', REDIS_CLUSTER_NODES: 'redis-0:70000' })).toEqual([expect.stringMatching(/^REDIS_CLUSTER_NODES: "redis-0:70000" is not host:port/)]);
  expect(problemsOf({ REDIS_URL: '', REDIS_CLUSTER_NODES: ' , ' })).toEqual(['REDIS_CLUSTER_NODES: at least one host:port']);
  expect(problemsOf({ REDIS_CLUSTER_NODES: '127.0.0.1:7000' })).toEqual([expect.stringMatching(/^REDIS_CLUSTER_NODES: set either REDIS_URL .* not both/)]);
});
