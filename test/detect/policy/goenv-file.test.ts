import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { goEnvFileAsJson, goEnvText } from '../../../src/detect/policy/goenv-file.js';
import { parseGoPolicy } from '../../../src/detect/policy/index.js';

describe('GOENV file (--go-env)', () => {
  it('reads KEY=value lines as cmd/go does: raw values, comments and bad lines skipped, the last line wins', () => {
    const text = '# go env -w\nGOPROXY=https://goproxy.cn,direct\ngoprivate=x\n\nGONOSUMDB=a= b \nGOPROXY=https://goproxy.io|direct\nJUNK\n';
    expect(JSON.parse(goEnvFileAsJson(text))).toEqual({ GOPROXY: 'https://goproxy.io|direct', GONOSUMDB: 'a= b ' });
  });

  it('--go-env takes go env -json as is and a GOENV file as its settings', () => {
    const json = '{"GOPROXY":"direct"}';
    expect(goEnvText(json)).toBe(json);
    const policy = parseGoPolicy({ goEnvJson: goEnvText('GOPROXY=https://goproxy.cn,direct\nGOPRIVATE=corp.example\n'), env: { GOPROXY: 'off' } });
    expect(policy.values.GOPROXY).toBe('https://goproxy.cn,direct');
    expect(policy.sources.GOPROXY).toBe('go-env');
    expect(policy.values.GONOSUMDB).toBe('corp.example');
    expect(policy.sources.GOSUMDB).toBe('default');
  });

  it('never throws and is linear on any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 500 }), (t) => {
        expect(typeof JSON.parse(goEnvFileAsJson(t))).toBe('object');
      }),
    );
    const big = 'A='.repeat(1_000_000) + '\n' + 'B=x\n'.repeat(200_000);
    const t0 = performance.now();
    expect(JSON.parse(goEnvFileAsJson(big)).B).toBe('x');
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});
