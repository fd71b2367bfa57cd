// Validates Kubernetes objects against their API schemas (kubernetes-models, @kubernetes-models/keda).
// Input on stdin: a JSON array of objects (DeployManifestsTest renders deploy/kubernetes with
// `kubectl kustomize` and passes what it rendered). Prints one line per invalid object and exits 1;
// an object of a kind without a schema here is invalid too.
import { readFileSync } from "node:fs";

const PACKAGES = { "keda.sh": "@kubernetes-models/keda" };

async function modelOf(apiVersion, kind) {
  const slash = apiVersion.lastIndexOf("/");
  const group = slash < 0 ? "" : apiVersion.substring(0, slash);
  const version = apiVersion.substring(slash + 1);
  const pkg = PACKAGES[group] ?? "kubernetes-models";
  const module = await import(group ? `${pkg}/${group}/${version}` : `${pkg}/${version}`);
  return module[kind];
}

const objects = JSON.parse(readFileSync(0, "utf8"));
let invalid = 0;
for (const object of objects) {
  const name = `${object.kind}/${object.metadata?.name}`;
  try {
    const Model = await modelOf(object.apiVersion ?? "", object.kind);
    if (!Model) {
      throw new Error(`no schema for ${object.apiVersion} ${object.kind}`);
    }
    new Model(object).validate();
  } catch (e) {
    invalid++;
    console.log(`${name}: ${e.message}`);
  }
}
console.log(`${objects.length - invalid} of ${objects.length} objects valid`);
process.exit(invalid === 0 ? 0 : 1);
