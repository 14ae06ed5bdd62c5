/**
 * The hosts Go tooling is known to contact, with their role (../shared/GO-FACTS.md: the Go
 * sources, public mirror documentation and Go issues). Google-operated hosts are marked so
 * a certificate from anyone but Google Trust Services stands out. index.golang.org is
 * listed as 'other' on purpose: the go command never contacts it (mirrors and pkgsite do),
 * so a Go developer's machine talking to it is not explained by any Go setting.
 */
import type { CatalogEntry, GoRole } from './types.js';

const GTS = ['Google Trust Services'];

function google(pattern: string, role: GoRole, label: string): CatalogEntry {
  return { pattern, role, label, google: true, expectedIssuerOrgs: GTS };
}

function mirror(pattern: string, label: string): CatalogEntry {
  return { pattern, role: 'mirror', label };
}

function vcs(pattern: string, label: string): CatalogEntry {
  return { pattern, role: 'vcs', label };
}

export const BUILTIN_CATALOG: readonly CatalogEntry[] = [
  google('proxy.golang.org', 'module-proxy', 'Go module proxy (Google)'),
  google('sum.golang.org', 'checksum-db', 'Go checksum database (Google)'),
  google('sum.golang.google.cn', 'checksum-db', 'Go checksum database, China endpoint (Google)'),
  google('go.dev', 'toolchain', 'go.dev: toolchain downloads and go-get lookups (Google)'),
  google('golang.org', 'toolchain', 'golang.org: toolchain and golang.org/dl (Google)'),
  google('golang.org/x', 'vcs', 'golang.org/x vanity import paths (go-get, Google)'),
  google('dl.google.com', 'toolchain', 'Go toolchain downloads (Google)'),
  google('telemetry.go.dev', 'telemetry', 'Go telemetry upload (Google)'),
  google('vuln.go.dev', 'vulndb', 'Go vulnerability database (Google)'),
  google('vuln.golang.org', 'vulndb', 'Go vulnerability database, old name (Google)'),
  google('index.golang.org', 'other', 'Go module index (Google; not used by the go command)'),
  google('go.googlesource.com', 'vcs', 'Go source repositories (Google)'),

  mirror('goproxy.cn', 'goproxy.cn public mirror (Qiniu)'),
  mirror('goproxy.io', 'goproxy.io public mirror'),
  mirror('proxy.golang.com.cn', 'proxy.golang.com.cn public mirror (goproxy.io)'),
  mirror('mirrors.aliyun.com/goproxy', 'Alibaba Cloud Go mirror'),
  mirror('goproxy.bj.bcebos.com', 'Baidu Cloud Go mirror'),
  mirror('mirrors.huaweicloud.com/repository/goproxy', 'Huawei Cloud Go mirror'),
  mirror('repo.huaweicloud.com/repository/goproxy', 'Huawei Cloud Go mirror'),
  mirror('mirrors.cloud.tencent.com/go', 'Tencent Cloud Go mirror'),
  mirror('mirrors.tencent.com/goproxy', 'Tencent Go mirror'),
  mirror('mirrors.tuna.tsinghua.edu.cn/goproxy', 'Tsinghua TUNA Go mirror'),
  mirror('gocenter.io', 'JFrog GoCenter (legacy, shut down)'),
  mirror('athens.azurefd.net', 'Microsoft Athens mirror (legacy)'),

  vcs('github.com', 'GitHub (direct mode)'),
  vcs('codeload.github.com', 'GitHub archive downloads (direct mode)'),
  vcs('*.githubusercontent.com', 'GitHub content (direct mode)'),
  vcs('gitlab.com', 'GitLab (direct mode)'),
  vcs('bitbucket.org', 'Bitbucket (direct mode)'),
  vcs('gopkg.in', 'gopkg.in versioned import paths (direct mode)'),
  vcs('codeberg.org', 'Codeberg (direct mode)'),
  vcs('git.sr.ht', 'SourceHut (direct mode)'),
  vcs('launchpad.net', 'Launchpad (direct mode)'),
  vcs('hub.jazz.net', 'IBM DevOps Services (direct mode)'),
];
