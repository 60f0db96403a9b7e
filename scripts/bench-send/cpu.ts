// CPU accounting from /proc (Linux only; elsewhere the figures are simply absent): the cores the server,
// PostgreSQL, the fake Graph API, this process and the whole machine kept busy. The server and the fake
// are counted as process trees (tsx runs its script in a child process).

import fs from 'node:fs';

const CLOCK_TICKS = 100;

export interface CpuSample {
  at: number;
  server: number;
  postgres: number;
  fake: number;
  bench: number;
  machine: number;
}

/** Cores busy on average between two samples; `other`: the machine's busy time that none of ours explains. */
export type CpuUse = Omit<CpuSample, 'at'> & { other: number };

interface Proc {
  pid: number;
  ppid: number;
  comm: string;
  seconds: number;
}

function readProc(pid: string): Proc | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const fields = stat.slice(close + 2).split(' ');
    // After "(comm) ": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
    return {
      pid: Number(pid),
      ppid: Number(fields[1]),
      comm: stat.slice(stat.indexOf('(') + 1, close),
      seconds: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS,
    };
  } catch {
    return null;
  }
}

function treeSeconds(procs: Proc[], root: number): number {
  const children = new Map<number, Proc[]>();
  for (const p of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  let total = 0;
  const stack = procs.filter((p) => p.pid === root);
  while (stack.length > 0) {
    const p = stack.pop()!;
    total += p.seconds;
    stack.push(...(children.get(p.pid) ?? []));
  }
  return total;
}

export function cpuSample(roots: { server: number; fake: number }): CpuSample | null {
  try {
    const procs = fs
      .readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .map(readProc)
      .filter((p): p is Proc => p !== null);
    const cpuLine = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const idle = (cpuLine[3] ?? 0) + (cpuLine[4] ?? 0);
    const total = cpuLine.slice(0, 8).reduce((a, b) => a + b, 0);
    const self = process.cpuUsage();
    return {
      at: performance.now(),
      server: treeSeconds(procs, roots.server),
      postgres: procs.filter((p) => p.comm === 'postgres').reduce((a, p) => a + p.seconds, 0),
      fake: treeSeconds(procs, roots.fake),
      bench: (self.user + self.system) / 1e6,
      machine: (total - idle) / CLOCK_TICKS,
    };
  } catch {
    return null;
  }
}

export function cpuUse(a: CpuSample | null, b: CpuSample | null): CpuUse | null {
  if (!a || !b) return null;
  const seconds = (b.at - a.at) / 1000;
  if (seconds <= 0) return null;
  const per = (k: Exclude<keyof CpuSample, 'at'>) => (b[k] - a[k]) / seconds;
  const use = { server: per('server'), postgres: per('postgres'), fake: per('fake'), bench: per('bench'), machine: per('machine') };
  return { ...use, other: Math.max(0, use.machine - use.server - use.postgres - use.fake - use.bench) };
}
