// Packaging against the real tools: the real `helm` lints and renders helm/tributary; the rendered
// chart (CRDs included), manifests/install.yaml and the examples pass `kubectl apply
// --dry-run=server` against a real kube-apiserver; install.yaml applied for real grants the
// operator's service account what it needs and nothing it should not (the API server runs with
// RBAC); a namespaced install renders Roles, not ClusterRoles. Needs `npm run setup:k8s` once.
import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAll } from 'js-yaml';
import { startControlPlane, type ControlPlane, type KubectlResult } from './control-plane.js';
import {
  CHART_DIR,
  INSTALL_YAML,
  RELEASE_NAMESPACE,
  chartCrdDrift,
  chartMinimumKubeVersion,
  helmTemplate,
  renderInstallYaml,
} from '../../tools/render-manifests.js';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const OPERATOR_SA = `system:serviceaccount:${RELEASE_NAMESPACE}:tributary-operator`;

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: Record<string, unknown>;
  rules?: Array<{ apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] }>;
}

let controlPlane: ControlPlane | undefined;
let serverVersion = '';

function plane(): ControlPlane {
  if (!controlPlane) throw new Error('control plane not started (see the before hook failure)');
  return controlPlane;
}

function kubectlOk(args: string[], input?: string): Promise<string> {
  return plane().kubectlOk(args, input);
}

function helm(args: string[]): Promise<KubectlResult> {
  return new Promise((resolve) => {
    execFile(join(plane().binDir, 'helm'), args, { maxBuffer: 64 * 1024 * 1024, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ exitCode: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** `helm template` at the test API server's version; extra args such as `--set`. */
function render(extraArgs: string[] = []): string {
  return helmTemplate(extraArgs, { kubeVersion: serverVersion });
}

function objects(yaml: string): K8sObject[] {
  return (loadAll(yaml) as Array<K8sObject | null>).filter((o): o is K8sObject => o !== null);
}

const kindsOf = (docs: readonly K8sObject[]) => docs.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`).sort();

async function canI(verb: string, resource: string, namespace: string): Promise<boolean> {
  const result = await plane().kubectl(['auth', 'can-i', verb, resource, '-n', namespace, `--as=${OPERATOR_SA}`]);
  return result.stdout.trim() === 'yes';
}

test.before(async () => {
  controlPlane = await startControlPlane();
  process.env['HELM'] = join(controlPlane.binDir, 'helm');
  if (!existsSync(process.env['HELM'])) throw new Error(`no helm in ${controlPlane.binDir}: run npm run setup:k8s`);
  const version = JSON.parse(await kubectlOk(['version', '-o', 'json'])) as { serverVersion: { gitVersion: string } };
  serverVersion = version.serverVersion.gitVersion.replace(/^v/, '');
  await kubectlOk(['create', 'namespace', RELEASE_NAMESPACE]);
});

test.after.always(async () => {
  await controlPlane?.stop();
});

test.serial('helm lint passes with default, namespaced and ServiceMonitor values', async (t) => {
  for (const values of [[], ['--set', 'watchNamespaces={team-a,team-b}'], ['--set', 'metrics.serviceMonitor.enabled=true']]) {
    const result = await helm(['lint', '--strict', CHART_DIR, ...values]);
    t.is(result.exitCode, 0, `helm lint ${values.join(' ')}: ${result.stdout}${result.stderr}`);
  }
});

test.serial('the chart carries the CRDs of crds/ unchanged, and manifests/install.yaml is its rendering', (t) => {
  t.deepEqual(chartCrdDrift(), []);
  t.is(readFileSync(INSTALL_YAML, 'utf8'), renderInstallYaml(), 'run npm run render:manifests');
  t.is(chartMinimumKubeVersion(), '1.30.0');
});

test.serial('the chart refuses Kubernetes older than the CRDs need', (t) => {
  const error = t.throws(() => helmTemplate([], { kubeVersion: '1.29.9' }));
  t.regex(String((error as Error & { stderr?: string }).stderr ?? error?.message), /kubeVersion/);
});

test.serial('helm template renders the operator with least privilege and a locked-down pod', (t) => {
  const docs = objects(render(['--include-crds']));
  t.deepEqual(kindsOf(docs), [
    'ClusterRole//tributary-operator',
    'ClusterRoleBinding//tributary-operator',
    'CustomResourceDefinition//kafkaclusters.tributary.io',
    'CustomResourceDefinition//kafkatopics.tributary.io',
    `Deployment/${RELEASE_NAMESPACE}/tributary-operator`,
    `Role/${RELEASE_NAMESPACE}/tributary-operator-leader-election`,
    `RoleBinding/${RELEASE_NAMESPACE}/tributary-operator-leader-election`,
    `Service/${RELEASE_NAMESPACE}/tributary-operator-metrics`,
    `ServiceAccount/${RELEASE_NAMESPACE}/tributary-operator`,
  ]);
  const deployment = docs.find((o) => o.kind === 'Deployment')!;
  const pod = (deployment.spec!['template'] as { spec: Record<string, any> }).spec; // eslint-disable-line @typescript-eslint/no-explicit-any
  const container = pod['containers'][0];
  t.is(container.image, 'tributary/operator:0.1.0');
  t.like(pod['securityContext'], { runAsNonRoot: true, runAsUser: 1000 });
  t.like(container.securityContext, { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
  t.like(container.livenessProbe, { httpGet: { path: '/healthz', port: 'http' } });
  t.like(container.readinessProbe, { httpGet: { path: '/healthz', port: 'http' } });
  const env = Object.fromEntries((container.env as Array<{ name: string; value?: string }>).map((e) => [e.name, e.value ?? '(fieldRef)']));
  t.like(env, { WATCH_NAMESPACES: '', HTTP_ADDRESS: '0.0.0.0:8080', LEADER_ELECTION: 'true', TRIBUTARY_DEFAULT_BROKER_IMAGE: 'tributary/broker:0.1.0' });
  const clusterRole = docs.find((o) => o.kind === 'ClusterRole')!;
  const resources = clusterRole.rules!.flatMap((r) => r.resources);
  t.false(resources.includes('secrets'), 'no access to Secrets');
  t.false(clusterRole.rules!.some((r) => r.verbs.includes('*') || r.resources.includes('*')), 'no wildcards');
});

test.serial('a ServiceMonitor is rendered only when asked for', (t) => {
  t.false(objects(render()).some((o) => o.kind === 'ServiceMonitor'));
  const monitor = objects(render(['--set', 'metrics.serviceMonitor.enabled=true', '--set', 'metrics.serviceMonitor.labels.release=prom'])).find(
    (o) => o.kind === 'ServiceMonitor',
  );
  t.like(monitor, { apiVersion: 'monitoring.coreos.com/v1', metadata: { name: 'tributary-operator', namespace: RELEASE_NAMESPACE } });
  t.like(monitor?.spec, { endpoints: [{ port: 'http-metrics', path: '/metrics' }] });
});

test.serial('the rendered chart, CRDs included, passes kubectl apply --dry-run=server', async (t) => {
  const out = await kubectlOk(['apply', '--dry-run=server', '-f', '-'], render(['--include-crds']));
  t.regex(out, /customresourcedefinition.apiextensions.k8s.io\/kafkaclusters.tributary.io created \(server dry run\)/);
  t.regex(out, /deployment.apps\/tributary-operator created \(server dry run\)/);
});

test.serial('manifests/install.yaml passes kubectl apply --dry-run=server', async (t) => {
  const out = await kubectlOk(['apply', '--server-side', '--dry-run=server', '-f', INSTALL_YAML]);
  t.regex(out, /clusterrole.rbac.authorization.k8s.io\/tributary-operator serverside-applied \(server dry run\)/);
});

test.serial('the examples pass dry-run once the CRDs are installed', async (t) => {
  await kubectlOk(['apply', '--server-side', '-f', join(REPO_ROOT, 'crds')]);
  await kubectlOk(['wait', '--for=condition=Established', '--timeout=60s', 'crd/kafkaclusters.tributary.io', 'crd/kafkatopics.tributary.io']);
  const out = await kubectlOk(['apply', '--dry-run=server', '-f', join(REPO_ROOT, 'manifests', 'examples')]);
  t.regex(out, /kafkacluster.tributary.io\/my-cluster created \(server dry run\)/);
  t.regex(out, /kafkatopic.tributary.io\/orders created \(server dry run\)/);
});

test.serial('install.yaml applied for real: the operator may do its job and no more', async (t) => {
  await kubectlOk(['apply', '--server-side', '-f', INSTALL_YAML]);
  const allowed: Array<[string, string, string]> = [
    ['watch', 'kafkaclusters.tributary.io', 'default'],
    ['patch', 'kafkaclusters.tributary.io/status', 'default'],
    ['update', 'kafkatopics.tributary.io/finalizers', 'default'],
    ['patch', 'statefulsets.apps', 'default'],
    ['delete', 'pods', 'default'],
    ['delete', 'persistentvolumeclaims', 'default'],
    ['patch', 'poddisruptionbudgets.policy', 'default'],
    ['create', 'events', 'default'],
    ['create', 'leases.coordination.k8s.io', RELEASE_NAMESPACE],
    ['update', 'leases.coordination.k8s.io/tributary-operator', RELEASE_NAMESPACE],
  ];
  const denied: Array<[string, string, string]> = [
    ['get', 'secrets', 'default'],
    ['create', 'pods', 'default'],
    ['create', 'persistentvolumeclaims', 'default'],
    ['delete', 'kafkaclusters.tributary.io', 'default'],
    ['update', 'leases.coordination.k8s.io/someone-else', RELEASE_NAMESPACE],
    ['create', 'leases.coordination.k8s.io', 'default'],
    ['delete', 'customresourcedefinitions.apiextensions.k8s.io', 'default'],
  ];
  for (const [verb, resource, namespace] of allowed) t.true(await canI(verb, resource, namespace), `${verb} ${resource} -n ${namespace}`);
  for (const [verb, resource, namespace] of denied) t.false(await canI(verb, resource, namespace), `${verb} ${resource} -n ${namespace}`);

  // Leader election writes its Lease with server-side apply, creating it on first use.
  const lease = (holder: string) =>
    JSON.stringify({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'tributary-operator', namespace: RELEASE_NAMESPACE },
      spec: { holderIdentity: holder, leaseDurationSeconds: 15 },
    });
  for (const holder of ['operator-a', 'operator-b']) {
    await kubectlOk(['apply', '--server-side', '--field-manager=tributary-operator', `--as=${OPERATOR_SA}`, '-f', '-'], lease(holder));
  }
  t.is(await kubectlOk(['get', 'lease', 'tributary-operator', '-n', RELEASE_NAMESPACE, '-o', 'jsonpath={.spec.holderIdentity}']), 'operator-b');
});

test.serial('a namespaced install renders Roles in the watched namespaces instead of ClusterRoles', async (t) => {
  const values = ['--set', 'watchNamespaces={team-a,team-b}', '--set', 'leaderElection.leaseName=tributary-operator-ns'];
  const docs = objects(render(values));
  t.false(docs.some((o) => o.kind === 'ClusterRole' || o.kind === 'ClusterRoleBinding'), 'no cluster-wide RBAC');
  t.deepEqual(
    kindsOf(docs.filter((o) => o.kind === 'Role' || o.kind === 'RoleBinding')),
    [
      'Role/team-a/tributary-operator',
      'Role/team-b/tributary-operator',
      `Role/${RELEASE_NAMESPACE}/tributary-operator-leader-election`,
      'RoleBinding/team-a/tributary-operator',
      'RoleBinding/team-b/tributary-operator',
      `RoleBinding/${RELEASE_NAMESPACE}/tributary-operator-leader-election`,
    ],
  );
  const deployment = docs.find((o) => o.kind === 'Deployment')!;
  const env = ((deployment.spec!['template'] as { spec: { containers: Array<{ env: Array<{ name: string; value?: string }> }> } }).spec.containers[0]!.env);
  t.is(env.find((e) => e.name === 'WATCH_NAMESPACES')?.value, 'team-a,team-b');

  // Installed for real (as a second release with its own names), the grants stop at the namespaces.
  await kubectlOk(['create', 'namespace', 'team-a']);
  await kubectlOk(['create', 'namespace', 'team-b']);
  await kubectlOk(['create', 'namespace', 'tributary-ns']);
  const namespaced = helmTemplate(values, { kubeVersion: serverVersion, releaseName: 'tributary-ns', namespace: 'tributary-ns' });
  const out = await kubectlOk(['apply', '--dry-run=server', '-f', '-'], namespaced);
  t.regex(out, /role.rbac.authorization.k8s.io\/tributary-ns-operator created \(server dry run\)/);
  await kubectlOk(['apply', '-f', '-'], namespaced);
  const as = 'system:serviceaccount:tributary-ns:tributary-ns-operator';
  const can = async (verb: string, resource: string, namespace: string) =>
    (await plane().kubectl(['auth', 'can-i', verb, resource, '-n', namespace, `--as=${as}`])).stdout.trim() === 'yes';
  t.true(await can('delete', 'pods', 'team-a'));
  t.true(await can('patch', 'kafkatopics.tributary.io/status', 'team-b'));
  t.false(await can('delete', 'pods', 'default'), 'nothing outside the watched namespaces');
  t.false(await can('list', 'kafkaclusters.tributary.io', 'default'));
});
