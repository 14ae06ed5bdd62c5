import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packetProcess } from '../../src/capture/process-comment.js';

describe('ptcpdump process comments', () => {
  it('reads the process, its go subcommand, container and pod as ptcpdump writes them', () => {
    const p = packetProcess([
      'PID: 4711\nCmd: /usr/local/go/bin/go\nArgs: go mod download -x',
      'ThreadId: 4713\nThreadName: go',
      'UserId: 1000\nGroupId: 1000',
      'ParentPID: 4700\nParentCmd: /bin/bash\nParentArgs: bash',
      'ContainerName: builder\nContainerId: 0123abcd\nContainerImage: golang:1.22\nContainerLabels: ',
      'PodName: ci-42\nPodNamespace: build\nPodUID: u\nPodLabels: \nPodAnnotations: ',
    ]);
    expect(p).toEqual({ pid: 4711, cmd: '/usr/local/go/bin/go', args: 'go mod download -x', container: 'builder', pod: 'build/ci-42', label: 'go mod download (pid 4711), pod build/ci-42, container builder' });
    expect(packetProcess(['PID: 12\nCmd: /usr/bin/gopls\nArgs: gopls serve'])?.label).toBe('gopls (pid 12)');
  });

  it('leaves other comments alone and ignores them next to process comments', () => {
    expect(packetProcess(['look here', 'PID is 4'])).toBeUndefined();
    expect(packetProcess(['PID: 4\nNote: hi'])).toBeUndefined();
    expect(packetProcess(['ThreadId: 3\nThreadName: x'])).toBeUndefined();
    expect(packetProcess(['a user comment', 'PID: 7\nCmd: /bin/curl\nArgs: curl x'])?.label).toBe('curl (pid 7)');
  });

  it('rejects PIDs that are not a positive decimal integer', () => {
    for (const pid of ['0', '-1', '01', '1e3', '99999999999', ' 5', '5 ', '']) expect(packetProcess([`PID: ${pid}\nCmd: /x\nArgs: x`])).toBeUndefined();
  });

  it('never throws, keeps labels bounded, and is linear on hostile comments', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 300 }), { maxLength: 8 }), (cs) => {
        const p = packetProcess(cs.map((c, i) => (i === 0 ? `PID: 9\nCmd: ${c}\nArgs: ${c}` : c)));
        if (p) expect(p.label.length).toBeLessThan(1200);
      }),
    );
    const huge = `PID: 5\nCmd: ${'/a'.repeat(500_000)}\nArgs: ${'x '.repeat(500_000)}`;
    const lines = `PID: 5\n${'Cmd: x\n'.repeat(200_000)}`;
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) {
      expect(packetProcess([huge])).toBeUndefined();
      expect(packetProcess([lines])).toBeUndefined();
      expect(packetProcess(['PID: 5\nCmd: ' + 'c'.repeat(60_000)])?.cmd.length).toBe(256);
    }
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});
