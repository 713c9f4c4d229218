import { Box, Text, render } from 'ink';
import { useEffect, useState } from 'react';
import type { PullEvents } from '../../image/pull.js';
import { humanSize } from '../units.js';

type LayerState = 'waiting' | 'downloading' | 'verified' | 'unpacked' | 'exists';

interface LayerRow {
  digest: string;
  size: number;
  bytes: number;
  state: LayerState;
  started: number;
}

interface ViewState {
  trying: string;
  layers: LayerRow[];
  status: string;
}

function bar(done: number, total: number, width = 24): string {
  const f = total > 0 ? Math.min(1, done / total) : 0;
  const n = Math.round(f * width);
  return `[${'='.repeat(Math.max(0, n - 1))}${n > 0 ? (f >= 1 ? '=' : '>') : ''}${' '.repeat(width - n)}]`;
}

function Row({ l }: { l: LayerRow }) {
  const secs = Math.max(0.001, (Date.now() - l.started) / 1000);
  const rate = l.state === 'downloading' ? `${humanSize(l.bytes / secs)}/s` : '';
  const color = l.state === 'unpacked' || l.state === 'exists' ? 'green' : l.state === 'verified' ? 'cyan' : undefined;
  return (
    <Box>
      <Text>{l.digest.replace(/^sha256:/, '').slice(0, 12)} </Text>
      <Text>{bar(l.state === 'exists' ? l.size : l.bytes, l.size)} </Text>
      <Text>{`${humanSize(l.bytes)} / ${humanSize(l.size)}`.padEnd(22)}</Text>
      <Text>{rate.padEnd(12)}</Text>
      <Text color={color}>{l.state === 'exists' ? 'already exists' : l.state}</Text>
    </Box>
  );
}

function View({ subscribe }: { subscribe: (set: (s: ViewState) => void) => void }) {
  const [s, set] = useState<ViewState>({ trying: '', layers: [], status: '' });
  useEffect(() => subscribe(set), []);
  return (
    <Box flexDirection="column">
      {s.trying ? <Text>Trying to pull {s.trying}...</Text> : null}
      {s.layers.map((l) => (
        <Row key={l.digest} l={l} />
      ))}
      {s.status ? <Text>{s.status}</Text> : null}
    </Box>
  );
}

/** A live per-layer view on a TTY (stderr): bytes, rate, verified and unpacked state. */
export function inkPullEvents(): PullEvents & { finish(): void } {
  const state: ViewState = { trying: '', layers: [], status: '' };
  let push: ((s: ViewState) => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  const update = () => push?.({ ...state, layers: state.layers.map((l) => ({ ...l })) });
  const app = render(<View subscribe={(set) => { push = set; update(); }} />, { stdout: process.stderr, patchConsole: false });
  timer = setInterval(update, 100);
  const layer = (d: string) => state.layers.find((l) => l.digest === d);
  return {
    trying(ref) {
      state.trying = ref;
      update();
    },
    layerStart(digest, size, present) {
      if (!layer(digest)) state.layers.push({ digest, size, bytes: present ? size : 0, state: present ? 'exists' : 'waiting', started: Date.now() });
    },
    layerBytes(digest, n) {
      const l = layer(digest);
      if (l) {
        if (l.state === 'waiting') {
          l.state = 'downloading';
          l.started = Date.now();
        }
        l.bytes += n;
      }
    },
    layerVerified(digest) {
      const l = layer(digest);
      if (l) l.state = 'verified';
    },
    layerDone(digest) {
      const l = layer(digest);
      if (l) l.state = 'unpacked';
    },
    config(digest) {
      state.status = `Copying config ${digest.replace(/^sha256:/, '').slice(0, 12)}`;
    },
    writingManifest() {
      state.status = 'Writing manifest to image destination';
    },
    warn(m) {
      state.status = `WARN: ${m}`;
    },
    finish() {
      if (timer) clearInterval(timer);
      timer = undefined;
      update();
      app.unmount();
    },
  };
}
