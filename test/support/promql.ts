// Reads the metric and label names a PromQL expression uses (enough for dashboard checks, not a
// full parser): quoted strings, matchers, ranges and grouping clauses are taken apart first.
const GROUPING = /\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g;
const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset']);

const withoutStrings = (expr: string) => expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');

export function promqlMetricNames(expr: string): string[] {
  const bare = withoutStrings(expr).replace(/\{[^}]*\}/g, '').replace(/\[[^\]]*\]/g, '').replace(GROUPING, '');
  const names = new Set<string>();
  for (const m of bare.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const isCall = bare.slice(m.index + m[0].length).trimStart().startsWith('(');
    if (!isCall && !KEYWORDS.has(m[0])) names.add(m[0]);
  }
  return [...names].sort();
}

export function promqlLabelNames(expr: string): string[] {
  const s = withoutStrings(expr);
  const labels = new Set<string>();
  for (const [, body] of s.matchAll(/\{([^}]*)\}/g)) {
    for (const [, name] of body!.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*(?:=~|!~|!=|=)/g)) labels.add(name!);
  }
  for (const [, list] of s.matchAll(GROUPING)) {
    for (const name of list!.split(',').map((l) => l.trim()).filter(Boolean)) labels.add(name);
  }
  return [...labels].sort();
}

/** Sample names a scrape can carry, from its `# TYPE` lines (histograms add _bucket/_sum/_count). */
export function exposedSampleNames(scrape: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of scrape.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name!);
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(name + s);
    if (type === 'summary') for (const s of ['_sum', '_count']) names.add(name + s);
  }
  return names;
}
