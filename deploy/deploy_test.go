// Package deploy holds guichet's container and Kubernetes deployment
// files. Its tests check the properties the schemas cannot: kubeconform
// (deploy/validate.sh, run by CI) checks that the manifests are valid
// Kubernetes objects; these tests check that they are the deployment we
// mean, and that the Dockerfile builds a static, non-root, probed image.
package deploy

import (
	"bufio"
	"bytes"
	"debug/elf"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"
)

// object is one decoded manifest, walked with get.
type object map[string]any

// get follows a path of map keys and slice indexes (ints).
func get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				if o, isObj := v.(object); isObj {
					m, ok = o, true
				}
			}
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			s, ok := v.([]any)
			if !ok || k >= len(s) {
				return nil
			}
			v = s[k]
		}
	}
	return v
}

func str(v any, path ...any) string { s, _ := get(v, path...).(string); return s }

func list(v any, path ...any) []any { s, _ := get(v, path...).([]any); return s }

// mustManifests decodes every YAML document of deploy/ but the
// kustomization, by kind.
func mustManifests(t *testing.T) map[string]object {
	t.Helper()
	files, err := filepath.Glob("*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	byKind := map[string]object{}
	for _, f := range files {
		if f == "kustomization.yaml" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		for {
			var o map[string]any
			if err := dec.Decode(&o); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			kind := str(o, "kind")
			if _, dup := byKind[kind]; dup {
				t.Fatalf("%s: a second %s", f, kind)
			}
			byKind[kind] = o
		}
	}
	return byKind
}

func TestManifestKinds(t *testing.T) {
	m := mustManifests(t)
	want := map[string]string{
		"ConfigMap":               "v1",
		"Deployment":              "apps/v1",
		"Service":                 "v1",
		"HorizontalPodAutoscaler": "autoscaling/v2",
		"PodDisruptionBudget":     "policy/v1",
	}
	for kind, apiVersion := range want {
		if got := str(m[kind], "apiVersion"); got != apiVersion {
			t.Errorf("%s apiVersion = %q, want %q", kind, got, apiVersion)
		}
	}
	for kind := range m {
		if _, ok := want[kind]; !ok {
			t.Errorf("unexpected kind %s: add its checks here", kind)
		}
	}
}

// TestKustomizationListsEveryManifest keeps kubectl apply -k deploy/ in
// step with the files.
func TestKustomizationListsEveryManifest(t *testing.T) {
	b, err := os.ReadFile("kustomization.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var k struct {
		Resources []string `yaml:"resources"`
	}
	if err := yaml.Unmarshal(b, &k); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("*.yaml")
	files = slices.DeleteFunc(files, func(f string) bool { return f == "kustomization.yaml" })
	slices.Sort(k.Resources)
	if !slices.Equal(k.Resources, files) {
		t.Errorf("kustomization resources = %v, want the manifests %v", k.Resources, files)
	}
}

func TestDeploymentSecurity(t *testing.T) {
	dep := mustManifests(t)["Deployment"]
	pod := get(dep, "spec", "template", "spec")
	if get(pod, "securityContext", "runAsNonRoot") != true {
		t.Error("pod securityContext.runAsNonRoot is not true")
	}
	if str(pod, "securityContext", "seccompProfile", "type") != "RuntimeDefault" {
		t.Error("pod seccompProfile is not RuntimeDefault")
	}
	if get(pod, "automountServiceAccountToken") != false {
		t.Error("the pod mounts a service account token it never uses")
	}
	containers := append(list(pod, "initContainers"), list(pod, "containers")...)
	if len(containers) != 2 {
		t.Fatalf("%d containers, want the fetch init container and the server", len(containers))
	}
	for _, c := range containers {
		name := str(c, "name")
		sc := get(c, "securityContext")
		if get(sc, "allowPrivilegeEscalation") != false {
			t.Errorf("%s: allowPrivilegeEscalation is not false", name)
		}
		if get(sc, "readOnlyRootFilesystem") != true {
			t.Errorf("%s: readOnlyRootFilesystem is not true", name)
		}
		if !slices.Contains(list(sc, "capabilities", "drop"), any("ALL")) {
			t.Errorf("%s: capabilities do not drop ALL", name)
		}
		for _, r := range [][]any{{"requests", "cpu"}, {"requests", "memory"}, {"limits", "memory"}} {
			if get(c, append([]any{"resources"}, r...)...) == nil {
				t.Errorf("%s: no resources.%s.%s", name, r[0], r[1])
			}
		}
		if str(c, "image") == "" {
			t.Errorf("%s: no image", name)
		}
	}
}

func TestDeploymentDataAndProbes(t *testing.T) {
	m := mustManifests(t)
	pod := get(m["Deployment"], "spec", "template", "spec")
	var dataVolume any
	for _, v := range list(pod, "volumes") {
		if str(v, "name") == "data" {
			dataVolume = v
		}
	}
	if dataVolume == nil || get(dataVolume, "emptyDir") == nil {
		t.Fatalf("volume data = %v, want an emptyDir", dataVolume)
	}
	mount := func(c any) any {
		for _, vm := range list(c, "volumeMounts") {
			if str(vm, "name") == "data" {
				return vm
			}
		}
		return nil
	}

	fetch := get(pod, "initContainers", 0)
	if got := strings.Join(strs(list(fetch, "args")), " "); got != "fetch --to /data" {
		t.Errorf("init container args = %q, want %q", got, "fetch --to /data")
	}
	if vm := mount(fetch); str(vm, "mountPath") != "/data" || get(vm, "readOnly") == true {
		t.Errorf("init container data mount = %v, want /data, writable", vm)
	}

	srv := get(pod, "containers", 0)
	if got := strings.Join(strs(list(srv, "args")), " "); got != "serve --data /data" {
		t.Errorf("server args = %q, want %q", got, "serve --data /data")
	}
	if vm := mount(srv); str(vm, "mountPath") != "/data" || get(vm, "readOnly") != true {
		t.Errorf("server data mount = %v, want /data, read-only", vm)
	}
	ports := map[string]int{}
	for _, p := range list(srv, "ports") {
		n, _ := get(p, "containerPort").(int)
		ports[str(p, "name")] = n
	}
	for probe, path := range map[string]string{"readinessProbe": "/readyz", "livenessProbe": "/healthz", "startupProbe": "/healthz"} {
		if got := str(srv, probe, "httpGet", "path"); got != path {
			t.Errorf("%s path = %q, want %q", probe, got, path)
		}
		if port := str(srv, probe, "httpGet", "port"); ports[port] == 0 {
			t.Errorf("%s port %q is not a named container port", probe, port)
		}
	}

	// Settings: the ConfigMap feeds the environment, and every key is one
	// guichet reads.
	cm := m["ConfigMap"]
	if got := str(srv, "envFrom", 0, "configMapRef", "name"); got != str(cm, "metadata", "name") {
		t.Errorf("server envFrom configMapRef = %q, want the ConfigMap %q", got, str(cm, "metadata", "name"))
	}
	read := guichetEnv(t)
	settings, _ := get(cm, "data").(map[string]any)
	for k := range settings {
		if !read[k] {
			t.Errorf("ConfigMap sets %s, which guichet does not read", k)
		}
	}
	if settings["GUICHET_DATA"] != "/data" {
		t.Errorf("GUICHET_DATA = %v, want /data", settings["GUICHET_DATA"])
	}
	addr, _ := settings["GUICHET_ADDR"].(string)
	if !strings.HasPrefix(addr, "0.0.0.0:") || addr != "0.0.0.0:"+itoa(ports["http"]) {
		t.Errorf("GUICHET_ADDR = %q, want 0.0.0.0 on the http container port %d", addr, ports["http"])
	}
}

func TestScaling(t *testing.T) {
	m := mustManifests(t)
	dep := m["Deployment"]
	podLabels, _ := get(dep, "spec", "template", "metadata", "labels").(map[string]any)
	matches := func(kind string, sel any) {
		sm, _ := sel.(map[string]any)
		if len(sm) == 0 {
			t.Errorf("%s selects nothing", kind)
		}
		for k, v := range sm {
			if podLabels[k] != v {
				t.Errorf("%s selector %s=%v does not match the pods' labels %v", kind, k, v, podLabels)
			}
		}
	}
	matches("Service", get(m["Service"], "spec", "selector"))
	matches("PodDisruptionBudget", get(m["PodDisruptionBudget"], "spec", "selector", "matchLabels"))
	matches("Deployment", get(dep, "spec", "selector", "matchLabels"))
	if tp := str(m["Service"], "spec", "ports", 0, "targetPort"); tp != "http" {
		t.Errorf("Service targetPort = %q, want the named port http", tp)
	}

	hpa := m["HorizontalPodAutoscaler"]
	if str(hpa, "spec", "scaleTargetRef", "kind") != "Deployment" || str(hpa, "spec", "scaleTargetRef", "name") != str(dep, "metadata", "name") {
		t.Errorf("HPA scaleTargetRef = %v, want the Deployment", get(hpa, "spec", "scaleTargetRef"))
	}
	if str(hpa, "spec", "metrics", 0, "resource", "name") != "cpu" {
		t.Errorf("HPA metric = %v, want cpu", get(hpa, "spec", "metrics", 0))
	}
	minReplicas, _ := get(hpa, "spec", "minReplicas").(int)
	minAvailable, _ := get(m["PodDisruptionBudget"], "spec", "minAvailable").(int)
	if minAvailable < 1 || minReplicas <= minAvailable {
		t.Errorf("HPA minReplicas %d, PDB minAvailable %d: want at least one available pod and room to drain a node", minReplicas, minAvailable)
	}
	if get(dep, "spec", "strategy", "rollingUpdate", "maxUnavailable") != 0 {
		t.Error("rolling updates may take a serving pod down before its replacement is ready")
	}
}

// guichetEnv returns the GUICHET_* variables the command reads.
func guichetEnv(t *testing.T) map[string]bool {
	t.Helper()
	files, _ := filepath.Glob("../cmd/guichet/*.go")
	re := regexp.MustCompile(`"(GUICHET_[A-Z_]+)"`)
	read := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllSubmatch(b, -1) {
			read[string(m[1])] = true
		}
	}
	if len(read) == 0 {
		t.Fatal("found no GUICHET_ variable in cmd/guichet")
	}
	return read
}

func strs(vs []any) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i], _ = v.(string)
	}
	return out
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	cmd, args string
}

func mustDockerfile(t *testing.T) []instruction {
	t.Helper()
	f, err := os.Open("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []instruction
	var cur strings.Builder
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if cur.Len() == 0 && (line == "" || strings.HasPrefix(line, "#")) {
			continue
		}
		if strings.HasSuffix(line, `\`) {
			cur.WriteString(strings.TrimSuffix(line, `\`) + " ")
			continue
		}
		cur.WriteString(line)
		cmd, args, _ := strings.Cut(cur.String(), " ")
		out = append(out, instruction{strings.ToUpper(cmd), strings.Join(strings.Fields(args), " ")})
		cur.Reset()
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// stages splits instructions at each FROM.
func stages(ins []instruction) [][]instruction {
	var out [][]instruction
	for _, in := range ins {
		if in.cmd == "FROM" {
			out = append(out, nil)
		}
		if len(out) > 0 {
			out[len(out)-1] = append(out[len(out)-1], in)
		}
	}
	return out
}

func TestDockerfile(t *testing.T) {
	st := stages(mustDockerfile(t))
	if len(st) != 2 {
		t.Fatalf("%d stages, want a builder and a runtime stage", len(st))
	}
	build, final := st[0], st[1]
	if got := build[0].args; got != "golang:1.26 AS build" {
		t.Errorf("builder FROM %q, want golang:1.26 AS build", got)
	}
	if got := final[0].args; got != "gcr.io/distroless/static:nonroot" {
		t.Errorf("runtime FROM %q, want gcr.io/distroless/static:nonroot", got)
	}
	goBuild := buildCommand(t, build)
	for _, want := range []string{"-trimpath", `-ldflags "-s -w"`, "./cmd/guichet"} {
		if !strings.Contains(goBuild, want) {
			t.Errorf("go build command %q lacks %s", goBuild, want)
		}
	}
	if !slices.ContainsFunc(build, func(in instruction) bool {
		return in.cmd == "ENV" && strings.Contains(in.args, "CGO_ENABLED=0") || in.cmd == "RUN" && strings.Contains(in.args, "CGO_ENABLED=0 go build")
	}) {
		t.Error("the builder does not set CGO_ENABLED=0")
	}

	last := map[string]string{}
	for _, in := range final {
		last[in.cmd] = in.args
		if in.cmd == "ADD" || in.cmd == "RUN" {
			t.Errorf("runtime stage has %s %s: it has no shell and copies only the binary", in.cmd, in.args)
		}
	}
	if !strings.HasPrefix(last["USER"], "nonroot") {
		t.Errorf("USER = %q, want nonroot", last["USER"])
	}
	if last["EXPOSE"] != "8080" || !strings.Contains(last["ENV"], "GUICHET_ADDR=0.0.0.0:8080") {
		t.Errorf("EXPOSE %q, ENV %q: want the server on 0.0.0.0:8080", last["EXPOSE"], last["ENV"])
	}
	if !strings.Contains(last["ENV"], "GUICHET_DATA=/data") || last["VOLUME"] != `["/data"]` {
		t.Errorf("ENV %q, VOLUME %q: want the data in the /data volume", last["ENV"], last["VOLUME"])
	}
	hc := last["HEALTHCHECK"]
	_, hcCmd, _ := strings.Cut(hc, "CMD ")
	var argv []string
	if err := json.Unmarshal([]byte(hcCmd), &argv); err != nil || len(argv) < 2 || argv[0] != "/guichet" || argv[1] != "healthcheck" {
		t.Errorf("HEALTHCHECK %q: want exec form running /guichet healthcheck (distroless has no shell)", hc)
	}
	if err := json.Unmarshal([]byte(last["ENTRYPOINT"]), &argv); err != nil || argv[0] != "/guichet" {
		t.Errorf("ENTRYPOINT %q: want exec form [\"/guichet\"]", last["ENTRYPOINT"])
	}
}

// buildCommand returns the builder's go build command line.
func buildCommand(t *testing.T, build []instruction) string {
	t.Helper()
	for _, in := range build {
		if i := strings.Index(in.args, "go build "); in.cmd == "RUN" && i >= 0 {
			return in.args[i:]
		}
	}
	t.Fatal("the builder has no go build")
	return ""
}

func TestDockerignore(t *testing.T) {
	b, err := os.ReadFile("../.dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	var patterns []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			patterns = append(patterns, l)
		}
	}
	if !slices.Contains(patterns, ".git") {
		t.Error(".dockerignore does not exclude .git")
	}
	for _, need := range []string{"go.mod", "go.sum", "cmd", "api", "data", "geo", "api/openapi.json", "api/docs.html", "api/widget/static/app.js"} {
		for _, p := range patterns {
			if ok, _ := filepath.Match(p, need); ok || p == need {
				t.Errorf(".dockerignore pattern %q excludes %s, which the build needs", p, need)
			}
		}
	}
}

// TestDockerBuildCommand runs the Dockerfile's own go build line, then
// the HEALTHCHECK command of the binary it makes: without a Docker engine,
// this is the image's build and probe minus the copying.
func TestDockerBuildCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	goBuild := buildCommand(t, stages(mustDockerfile(t))[0])
	bin := filepath.Join(t.TempDir(), "guichet")
	args := []string{"build"}
	for _, f := range regexp.MustCompile(`"[^"]*"|\S+`).FindAllString(strings.TrimPrefix(goBuild, "go build "), -1) {
		args = append(args, strings.Trim(f, `"`))
	}
	for i, a := range args {
		if a == "-o" && i+1 < len(args) {
			args[i+1] = bin
		}
	}
	cmd := exec.Command("go", args...)
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	f, err := elf.Open(bin)
	if err != nil {
		t.Skipf("not an ELF platform: %v", err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary needs a dynamic loader: it would not run on distroless/static")
		}
	}
	if f.Section(".symtab") != nil {
		t.Error("the binary keeps its symbol table: -ldflags -s did not apply")
	}

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" {
			w.Write([]byte(`{"status":"ok"}`))
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	if out, err := exec.Command(bin, "healthcheck", "--url", srv.URL+"/healthz").CombinedOutput(); err != nil {
		t.Errorf("guichet healthcheck on a healthy server: %v\n%s", err, out)
	}
	if err := exec.Command(bin, "healthcheck", "--url", srv.URL+"/missing").Run(); err == nil {
		t.Error("guichet healthcheck succeeded on a 404")
	}
}
