import { scheduleOne, NodeInfo, newPodInfo } from './dist/src/cluster/scheduler/index.js';
import { makeNode, makePod } from './dist/src/cluster/scheduler/testing.js';
const nodes = Array.from({length: 1000}, (_, i) => new NodeInfo(makeNode({ name: 'n'+i, cpu: '4', memory: '16Gi', labels: {'topology.kubernetes.io/zone': 'z'+(i%3)} })));
let start = 0;
const t = performance.now();
const N = 3000;
for (let i = 0; i < N; i++) {
  const p = makePod({ name: 'p'+i, cpu: '100m', memory: '128Mi', owner: 'rs'+(i%100), tolerations: [{key:'node.kubernetes.io/not-ready', operator:'Exists', effect:'NoExecute', tolerationSeconds:300}] });
  const info = newPodInfo(p);
  const r = scheduleOne(info, nodes, { startIndex: start });
  start = r.nextStartIndex;
  nodes.find(n => n.name === r.node).addPod(info);
}
console.log('per pod ms', (performance.now() - t) / N);
