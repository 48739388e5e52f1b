const fs=require('fs');const p=JSON.parse(fs.readFileSync(process.argv[2]));
const byId=new Map(p.nodes.map(n=>[n.id,n]));const parent=new Map();for(const n of p.nodes)for(const c of n.children||[])parent.set(c,n.id);
const self=new Map();const incl=new Map();let total=0;
// optional window: last N seconds
const times=[];let t=p.startTime;for(let i=0;i<p.samples.length;i++){t+=p.timeDeltas[i];times.push(t);}
const from=process.argv[3]?times[times.length-1]-Number(process.argv[3])*1e6:0;
for(let i=0;i<p.samples.length;i++){if(times[i]<from)continue;const d=p.timeDeltas[i];total+=d;const n=byId.get(p.samples[i]);const k=n.callFrame.functionName+' '+n.callFrame.url.split('/').slice(-2).join('/')+':'+n.callFrame.lineNumber;self.set(k,(self.get(k)||0)+d);
 const seen=new Set();let id=n.id;while(id!==undefined){const m=byId.get(id);const kk=m.callFrame.functionName+' '+m.callFrame.url.split('/').slice(-2).join('/')+':'+m.callFrame.lineNumber;if(!seen.has(kk)){seen.add(kk);incl.set(kk,(incl.get(kk)||0)+d);}id=parent.get(id);}}
const top=(m,n)=>[...m].sort((a,b)=>b[1]-a[1]).slice(0,n).map(([k,v])=>(v/total*100).toFixed(1)+'% '+k).join('\n');
console.log('total ms',total/1000);console.log('--self');console.log(top(self,30));console.log('--incl');console.log(top(incl,60));
