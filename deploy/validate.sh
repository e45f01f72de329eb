#!/usr/bin/env bash
# Validates the Kubernetes manifests of deploy/ with kubeconform, offline:
# the JSON schemas are generated from the Kubernetes OpenAPI document that
# the k8s.io/kubernetes Go module ships (api/openapi-spec/swagger.json),
# fetched like any module, instead of kubeconform's default download from
# a schema repository. Kustomization has no Kubernetes schema: skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

KUBECONFORM_VERSION=v0.8.0
KUBERNETES_VERSION=v1.34.2

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

GOBIN="$work/bin" go install "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION"
# Outside any module, so that guichet's go.mod and go.sum stay untouched.
(cd "$work" && go mod download "k8s.io/kubernetes@$KUBERNETES_VERSION")
spec="$(go env GOMODCACHE)/k8s.io/kubernetes@$KUBERNETES_VERSION/api/openapi-spec/swagger.json"
go run deploy/kubeschema.go -swagger "$spec" -out "$work/schemas"

kubeconform() {
	"$work/bin/kubeconform" -strict -summary -kubernetes-version "${KUBERNETES_VERSION#v}" \
		-skip Kustomization -schema-location "$work/schemas/{{ .ResourceKind }}{{ .KindSuffix }}.json" "$@"
}

kubeconform deploy/

# The schemas must be able to fail: a misspelt field is an error.
sed 's/readOnlyRootFilesystem:/readOnlyRootFilesytem:/' deploy/deployment.yaml > "$work/misspelt.yaml"
if kubeconform "$work/misspelt.yaml" > "$work/misspelt.out" 2>&1; then
	echo "kubeconform accepted a misspelt field: the generated schemas are not strict" >&2
	cat "$work/misspelt.out" >&2
	exit 1
fi
echo "kubeconform rejects a misspelt field, as it should"
