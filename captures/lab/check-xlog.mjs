#!/usr/bin/env node
// Ground truth for tests: which hosts did the go command fetch from? cmd/go
// -x prints "# get <url>" before each request and "# get <url>: <status or
// error>" after it (cmd/go/internal/web/http.go). Tests compare these hosts
// with the SNI/Host that gotap reports for the same capture.
//
// Usage: node captures/lab/check-xlog.mjs <scenario dir | go-x.log>
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const GET_LINE = /^# get (\S+?)(?:: (.*))?$/;
const STATUS = /^(\d{3})\b.*\((\d+(?:\.\d+)?)s\)$/;

/**
 * Every request in a -x log, in order, with its outcome when it has one.
 * @param {string} text
 * @returns {{url: string, host: string, scheme: string, path: string,
 *   status?: number, seconds?: number, error?: string}[]}
 */
export function requestsFromXLog(text) {
  const out = [];
  const pending = new Map();
  for (const line of text.split(/\r?\n/)) {
    const m = GET_LINE.exec(line);
    if (!m) continue;
    let url;
    try {
      url = new URL(m[1]);
    } catch {
      continue;
    }
    if (m[2] === undefined) {
      const req = { url: m[1], host: url.hostname, scheme: url.protocol.replace(/:$/, ''), path: url.pathname + url.search };
      out.push(req);
      pending.set(m[1], [...(pending.get(m[1]) ?? []), req]);
      continue;
    }
    const req = pending.get(m[1])?.shift();
    if (!req) continue;
    const s = STATUS.exec(m[2]);
    if (s) {
      req.status = Number(s[1]);
      req.seconds = Number(s[2]);
    } else {
      req.error = m[2];
    }
  }
  return out;
}

/** The set of hosts the go command fetched from, sorted. @param {string} text @returns {string[]} */
export function hostsFromXLog(text) {
  return [...new Set(requestsFromXLog(text).map((r) => r.host))].sort();
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = process.argv[2];
  if (!arg) {
    process.stderr.write('usage: check-xlog.mjs <scenario dir | go-x.log>\n');
    process.exit(2);
  }
  try {
    const file = statSync(arg).isDirectory() ? join(arg, 'go-x.log') : arg;
    for (const host of hostsFromXLog(readFileSync(file, 'utf8'))) process.stdout.write(host + '\n');
  } catch (err) {
    process.stderr.write(`check-xlog: ${err.message}\n`);
    process.exit(1);
  }
}
