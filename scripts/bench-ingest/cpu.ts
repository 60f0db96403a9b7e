// CPU accounting from /proc (Linux only; figures are simply absent elsewhere): how many cores the
// server, PostgreSQL, the load generator and the whole machine kept busy during a phase.

import fs from 'node:fs';

const CLOCK_TICKS = 100;

export interface CpuSnapshot {
  at: number;
  server: number;
  postgres: number;
  self: number;
  machineBusy: number;
}

function readProcStat(pid: string): { comm: string; pgrp: number; seconds: number } | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    // After "(comm) ": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
    return { comm, pgrp: Number(fields[2]), seconds: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS };
  } catch {
    return null;
  }
}

export function cpuSnapshot(serverGroup: number | undefined): CpuSnapshot | null {
  try {
    let server = 0;
    let pg = 0;
    for (const pid of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      const s = readProcStat(pid);
      if (!s) continue;
      if (serverGroup !== undefined && s.pgrp === serverGroup) server += s.seconds;
      else if (s.comm === 'postgres') pg += s.seconds;
    }
    const cpuLine = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const idle = (cpuLine[3] ?? 0) + (cpuLine[4] ?? 0);
    const total = cpuLine.slice(0, 8).reduce((a, b) => a + b, 0);
    const usage = process.cpuUsage();
    return {
      at: performance.now(),
      server,
      postgres: pg,
      self: (usage.user + usage.system) / 1e6,
      machineBusy: (total - idle) / CLOCK_TICKS,
    };
  } catch {
    return null;
  }
}

/** Cores busy on average between two snapshots. */
export interface CpuUse {
  server: number;
  postgres: number;
  client: number;
  machine: number;
}

export function cpuUse(a: CpuSnapshot | null, b: CpuSnapshot | null): CpuUse | null {
  if (!a || !b) return null;
  const seconds = (b.at - a.at) / 1000;
  if (seconds <= 0) return null;
  return {
    server: (b.server - a.server) / seconds,
    postgres: (b.postgres - a.postgres) / seconds,
    client: (b.self - a.self) / seconds,
    machine: (b.machineBusy - a.machineBusy) / seconds,
  };
}
