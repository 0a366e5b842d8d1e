"""The deployment files (deploy/): Kubernetes manifests against the Kubernetes schemas (offline,
kubernetes-validate), compose.yaml against the Compose specification's JSON schema (vendored in
deploy/schemas/), and the project's own rules: pinned images, probes and limits, no literal
secrets, Rasa's stores as the launcher names them, only existing HUIMIN_* settings, Rasa and the
action servers never exposed."""

from __future__ import annotations

import ast
import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import jsonschema
import kubernetes_validate
import pytest
import yaml

from huimin.settings import ACTION_SECRET_HEADER, PROJECT_ROOT, Settings
from launcher.processes import TRACKER_STORE_CLASS, endpoints_yaml

DEPLOY = PROJECT_ROOT / "deploy"
K8S = DEPLOY / "k8s"
COMPOSE_FILE = DEPLOY / "compose.yaml"
DOCKERFILE = DEPLOY / "Dockerfile"
# The Kubernetes version the manifests are written for (schemas shipped by kubernetes-validate)
K8S_VERSION = "1.32.0"
# Custom resources (cert-manager, trust-manager): no schema in kubernetes-validate
CUSTOM_KINDS = {
    ("cert-manager.io/v1", "Issuer"),
    ("cert-manager.io/v1", "Certificate"),
    ("trust.cert-manager.io/v1alpha1", "Bundle"),
}
WORKLOADS = {"Deployment", "StatefulSet"}
# Long-running processes that listen on nothing: no probe is possible; restarted when they exit
WORKERS_WITHOUT_PORT = {"sms", "analytics"}
# Rasa's stores in the production profile (ARCHITECTURE.md, the launcher's production endpoints)
PRODUCTION_STORES = {
    "tracker_store": TRACKER_STORE_CLASS,
    "lock_store": "redis",
    "event_broker": "pika",
}
# Settings the manifests name that land with a branch being merged at the same time (the
# analytics consumer's broker settings). Remove a name once huimin/settings.py has it.
# Not settings: variables of Rasa's own environment that its endpoints refer to as ${VAR}, the
# same names the launcher's production profile exports to its Rasa processes
RASA_ENVIRONMENT = {
    "HUIMIN_LOCK_STORE_PASSWORD",
    "HUIMIN_EVENT_BROKER_USERNAME",
    "HUIMIN_EVENT_BROKER_PASSWORD",
}
# What must be the same in the launcher's endpoints and here (hosts, ports and the names of
# the credentials differ: here they come from the Secret huimin-rasa-secrets)
SHARED_STORE_KEYS = ("type", "key_prefix", "exchange_name", "queues")
SECRET_NAME = re.compile(
    r"(TOKEN|SECRET|PASSWORD|PASS|_KEY|AUTH|DATABASE_URL|DATABASE_OWNER_URL|"
    r"TRACKER_STORE_URL|REDIS_URL|BROKER_URL)$"
)
CREDENTIALS_IN_URL = re.compile(r"[a-z+]+://[^/\s:@]+:[^@\s/$]+@")


# ---- loading ---------------------------------------------------------------------------------
def k8s_files() -> list[Path]:
    return sorted(path for path in K8S.rglob("*.yaml") if path.name != "kustomization.yaml")


def k8s_documents() -> Iterator[tuple[Path, dict[str, Any]]]:
    for path in k8s_files():
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if document:
                yield path, document


def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def pod_spec(document: dict[str, Any]) -> dict[str, Any] | None:
    kind = document["kind"]
    if kind in WORKLOADS or kind == "Job":
        return document["spec"]["template"]["spec"]
    if kind == "CronJob":
        return document["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return None


def containers(document: dict[str, Any], *, init: bool = True) -> list[dict[str, Any]]:
    spec = pod_spec(document)
    if spec is None:
        return []
    found = list(spec.get("containers", []))
    return found + list(spec.get("initContainers", [])) if init else found


def component(document: dict[str, Any]) -> str:
    return str(document["metadata"]["labels"]["app.kubernetes.io/component"])


def rasa_endpoints_k8s() -> dict[str, Any]:
    for _, document in k8s_documents():
        if document["kind"] == "ConfigMap" and document["metadata"]["name"] == "huimin-rasa-config":
            return yaml.safe_load(document["data"]["endpoints.yml"])
    raise AssertionError("no ConfigMap huimin-rasa-config in deploy/k8s")


def rasa_endpoints_compose() -> dict[str, Any]:
    # Compose replaces "$$" by "$" before the content reaches the container
    content = compose()["configs"]["rasa-endpoints"]["content"].replace("$$", "$")
    return yaml.safe_load(content)


def env_example_keys(path: Path) -> set[str]:
    keys = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            keys.add(line.split("=", 1)[0].strip())
    return keys


# ---- schemas ---------------------------------------------------------------------------------
def test_every_kubernetes_manifest_matches_the_kubernetes_schema() -> None:
    checked = 0
    for path, document in k8s_documents():
        if (document.get("apiVersion"), document.get("kind")) in CUSTOM_KINDS:
            continue
        try:
            kubernetes_validate.validate(document, K8S_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            where = ".".join(str(part) for part in error.path)
            pytest.fail(
                f"{path.relative_to(PROJECT_ROOT)} {document['kind']}: {where}: {error.message}"
            )
        checked += 1
    assert checked >= 30


def test_the_validator_rejects_a_broken_manifest() -> None:
    """The schema check can fail: a misspelt field and a wrong type are refused (strict)."""
    _, deployment = next(
        (path, doc) for path, doc in k8s_documents() if doc["kind"] == "Deployment"
    )
    broken = json.loads(json.dumps(deployment))
    broken["spec"]["replicas"] = "three"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, K8S_VERSION, strict=True)
    broken = json.loads(json.dumps(deployment))
    broken["spec"]["template"]["spec"]["containers"][0]["livenesProbe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, K8S_VERSION, strict=True)


def test_compose_file_matches_the_compose_specification() -> None:
    schema = json.loads((DEPLOY / "schemas" / "compose-spec.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema)
    errors = sorted(validator.iter_errors(compose()), key=lambda error: list(error.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)
    broken = compose()
    broken["services"]["api"]["restart"] = ["always"]
    assert list(validator.iter_errors(broken)), "the schema must refuse a wrong type"


def test_kustomizations_list_every_manifest_and_their_secret_files_have_examples() -> None:
    for kustomization in K8S.rglob("kustomization.yaml"):
        folder = kustomization.parent
        data = yaml.safe_load(kustomization.read_text(encoding="utf-8"))
        listed = {folder / name for name in data["resources"]}
        present = {path for path in folder.glob("*.yaml") if path.name != "kustomization.yaml"}
        assert listed == present, f"{kustomization}: resources differ from the folder's files"
        for generator in data.get("secretGenerator", []):
            for env_file in generator.get("envs", []):
                example = (folder / f"{env_file}.example").resolve()
                assert example.is_file(), f"{kustomization}: no {example.name} for {env_file}"
    for env_file in {
        name for service in compose()["services"].values() for name in service.get("env_file", [])
    }:
        assert (DEPLOY / f"{env_file}.example").is_file(), f"compose: no example for {env_file}"


# ---- images ----------------------------------------------------------------------------------
def all_images() -> list[tuple[str, str]]:
    images = [
        (
            f"k8s {doc['metadata'].get('name') or doc['metadata'].get('generateName')}",
            container["image"],
        )
        for _, doc in k8s_documents()
        for container in containers(doc)
    ]
    images += [
        (f"compose {name}", service["image"]) for name, service in compose()["services"].items()
    ]
    return images


def test_every_image_is_pinned_to_a_version() -> None:
    images = all_images()
    assert len(images) > 20
    for where, image in images:
        name, _, tag = image.rpartition(":")
        assert name, f"{where}: {image} has no tag"
        assert "/" not in tag, f"{where}: {image} has no tag"
        assert tag not in {"latest", "stable", "main"}, f"{where}: {image} is not pinned"
        assert re.search(r"\d", tag), f"{where}: {image} names no version"


def test_official_images_match_the_versions_the_project_runs() -> None:
    lock = (PROJECT_ROOT / "requirements" / "main.lock").read_text(encoding="utf-8")
    chromadb = re.search(r"^chromadb==(\S+)$", lock, re.MULTILINE)
    assert chromadb
    chroma_images = {image for _, image in all_images() if image.startswith("chromadb/chroma:")}
    assert chroma_images == {f"chromadb/chroma:{chromadb.group(1)}"}
    recipe = (PROJECT_ROOT / "scripts" / "ensure-envs.sh").read_text(encoding="utf-8")
    rasa = re.search(r"rasa==(\S+)", recipe)
    assert rasa
    assert f"ARG RASA_IMAGE=rasa/rasa:{rasa.group(1)}-full" in DOCKERFILE.read_text("utf-8")


def test_the_rasa_image_carries_everything_rasa_addons_imports() -> None:
    """The Rasa image copies rasa_addons/ and the huimin modules it imports, nothing else."""
    dockerfile = DOCKERFILE.read_text(encoding="utf-8")
    copied = set(re.findall(r"huimin/(\w+)\.py", dockerfile.split("AS rasa", 1)[1]))
    assert "COPY rasa_addons/" in dockerfile
    modules = list((PROJECT_ROOT / "rasa_addons").glob("*.py"))
    seen: set[Path] = set()
    while modules:
        module = modules.pop()
        if module in seen:
            continue
        seen.add(module)
        # Rasa 3.6 images run Python 3.8 to 3.10, not the 3.11 of .venv-rasa
        tree = ast.parse(module.read_text(encoding="utf-8"), feature_version=(3, 8))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                top, _, rest = name.partition(".")
                if top == "huimin":
                    assert rest in copied, f"{module.name} imports {name}: not in the Rasa image"
                    modules.append(PROJECT_ROOT / "huimin" / f"{rest}.py")
                elif top in {"workflows", "knowledge", "actions", "channels", "launcher"}:
                    pytest.fail(f"{module.name} imports {name}: not in the Rasa image")


# ---- supervision: probes, limits, restarts ---------------------------------------------------
def test_every_long_running_container_has_probes_limits_and_restarts() -> None:
    workloads = [(path, doc) for path, doc in k8s_documents() if doc["kind"] in WORKLOADS]
    assert {component(doc) for _, doc in workloads} >= {
        "api",
        "rasa",
        "actions",
        "telegram",
        "wechat",
        "analytics",
        "sms",
        "chroma",
    }
    for path, document in workloads:
        spec = pod_spec(document)
        assert spec is not None
        assert spec.get("restartPolicy", "Always") == "Always"
        for container in containers(document, init=False):
            where = f"{path.name} {container['name']}"
            if component(document) in WORKERS_WITHOUT_PORT:
                assert not container.get("ports"), f"{where}: listens, so it needs probes"
                continue
            assert container.get("readinessProbe"), f"{where}: no readiness probe"
            assert container.get("livenessProbe"), f"{where}: no liveness probe"


def test_every_container_has_requests_and_limits() -> None:
    for path, document in k8s_documents():
        for container in containers(document):
            resources = container.get("resources", {})
            for part in ("requests", "limits"):
                assert set(resources.get(part, {})) >= {"cpu", "memory"}, (
                    f"{path.name} {container['name']}: no {part} for cpu and memory"
                )
    for name, service in compose()["services"].items():
        limits = service.get("deploy", {}).get("resources", {}).get("limits", {})
        assert {"cpus", "memory"} <= set(limits), f"compose {name}: no limits"


def test_probes_use_the_real_health_endpoints() -> None:
    paths = {}
    for _, document in k8s_documents():
        if document["kind"] in WORKLOADS:
            for container in containers(document, init=False):
                probe = container.get("livenessProbe", {}).get("httpGet")
                if probe:
                    paths[component(document)] = probe["path"]
    assert paths["api"] == "/api/health"
    assert paths["rasa"] == "/"
    assert paths["actions"] == "/health"
    assert paths["telegram"] == paths["wechat"] == "/healthz"


def test_compose_services_restart_and_have_healthchecks() -> None:
    jobs = {"migrate", "ingest"}
    for name, service in compose()["services"].items():
        if name in jobs:
            assert service["restart"] == "no"
            assert service.get("profiles") == ["jobs"]
            continue
        assert service["restart"] == "unless-stopped", f"compose {name}"
        if name not in WORKERS_WITHOUT_PORT:
            assert service.get("healthcheck", {}).get("test"), f"compose {name}: no healthcheck"


def test_every_listening_workload_has_a_service_on_its_ports() -> None:
    workloads = [doc for _, doc in k8s_documents() if doc["kind"] in WORKLOADS]
    services = [doc for _, doc in k8s_documents() if doc["kind"] == "Service"]
    served = set()
    for service in services:
        selector = service["spec"]["selector"]
        matches = [
            doc
            for doc in workloads
            if selector.items() <= doc["spec"]["template"]["metadata"]["labels"].items()
        ]
        assert len(matches) == 1, f"Service {service['metadata']['name']} selects {len(matches)}"
        names = {port["name"] for c in containers(matches[0]) for port in c.get("ports", [])}
        for port in service["spec"]["ports"]:
            assert port["targetPort"] in names, f"Service {service['metadata']['name']}: {port}"
        served.add(component(matches[0]))
    listening = {
        component(doc) for doc in workloads if any(c.get("ports") for c in containers(doc))
    }
    assert listening == served


# ---- secrets ---------------------------------------------------------------------------------
def deploy_text_files() -> list[Path]:
    return [
        path
        for path in DEPLOY.rglob("*")
        if path.is_file()
        and path.suffix in {".yaml", ".yml", ".md", ""}
        and path.parent.name != "schemas"
    ]


def test_no_literal_secret_values() -> None:
    for path, document in k8s_documents():
        assert document["kind"] != "Secret", f"{path.name}: a Secret with values in the repository"
        if document["kind"] == "ConfigMap":
            for key in document.get("data", {}):
                assert not SECRET_NAME.search(key), f"{path.name}: {key} in a ConfigMap"
        for container in containers(document):
            for variable in container.get("env", []):
                if SECRET_NAME.search(variable["name"]) and variable["name"] != "REDISCLI_AUTH":
                    literal = f"{path.name} {container['name']}: {variable['name']} literally"
                    assert "valueFrom" in variable, literal
                    assert "value" not in variable, literal
                elif "value" in variable:
                    assert not SECRET_NAME.search(variable["name"])
    for name, service in compose()["services"].items():
        for variable in service.get("environment", {}):
            assert not SECRET_NAME.search(variable), f"compose {name}: {variable} given literally"
    demo_values = [
        getattr(__import__("huimin.settings", fromlist=["x"]), name)
        for name in (
            "DEMO_SECRET_KEY",
            "DEMO_INTERNAL_TOKEN",
            "DEMO_RASA_AUTH_TOKEN",
            "DEMO_ACTION_SECRET",
            "DEMO_AUDIT_HMAC_KEY",
        )
    ]
    for path in [*deploy_text_files(), COMPOSE_FILE]:
        text = path.read_text(encoding="utf-8")
        assert not CREDENTIALS_IN_URL.search(text.replace("PASSWORD@", "")), (
            f"{path}: credentials in a URL"
        )
        for value in demo_values:
            assert value not in text, f"{path}: a demo secret outside the .example files"


def test_secret_examples_fail_closed() -> None:
    """Copied unchanged, an example either leaves a value empty (nothing connects) or keeps a
    demo value that every process refuses in production."""
    demo = Settings(environment="production", _env_file=None)
    assert len(demo.production_problems()) == 5
    for example in DEPLOY.rglob("*.env.example"):
        for line in example.read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            key, _, value = line.partition("=")
            if value:
                values = {
                    "HUIMIN_SECRET_KEY": demo.secret_key,
                    "HUIMIN_INTERNAL_TOKEN": demo.internal_token,
                    "HUIMIN_RASA_AUTH_TOKEN": demo.rasa_auth_token,
                    "HUIMIN_ACTION_SECRET": demo.action_secret,
                    "HUIMIN_AUDIT_HMAC_KEY": demo.audit_hmac_key,
                    "HUIMIN_ANALYTICS_HMAC_KEY": demo.analytics_hmac_key,
                    "HUIMIN_CHROMA_TOKEN": demo.chroma_token,
                }
                if key in values:
                    assert value == values[key].get_secret_value(), f"{example.name}: {key}"
                else:
                    raise AssertionError(f"{example.name}: {key} has a value that nothing refuses")


# ---- Rasa's stores and the launcher ----------------------------------------------------------
@pytest.mark.parametrize("endpoints", [rasa_endpoints_k8s, rasa_endpoints_compose])
def test_rasa_endpoints_name_the_production_stores(endpoints: Any) -> None:
    config = endpoints()
    for store, kind in PRODUCTION_STORES.items():
        assert config[store]["type"] == kind
    # the same references as the endpoints file the launcher writes
    launcher = yaml.safe_load(
        endpoints_yaml(
            Settings(
                _env_file=None,
                environment="production",
                profile="production",
                tracker_store_url="postgresql://huimin@127.0.0.1:5432/huimin_rasa",
                lock_store_url="redis://127.0.0.1:6379/1",
                event_broker_url="amqp://huimin@127.0.0.1:5672/",
                # the deployment names the queue for Rasa and the consumer alike
                event_broker_queue=config["event_broker"]["queues"][0],
            )
        )
    )
    for store in ("tracker_store", "lock_store", "event_broker"):
        for key in SHARED_STORE_KEYS:
            if key in launcher.get(store, {}):
                assert launcher[store][key] == config[store].get(key), f"{store}.{key}"
    assert config["tracker_store"]["url"] == launcher["tracker_store"]["url"]
    assert config["action_endpoint"]["headers"] == launcher["action_endpoint"]["headers"]
    assert config["action_endpoint"]["headers"] == {ACTION_SECRET_HEADER: "${HUIMIN_ACTION_SECRET}"}
    assert config["action_endpoint"]["url"].startswith("https://")  # TLS beyond loopback
    assert config["action_endpoint"]["cafile"]


def test_rasa_gets_every_variable_its_endpoints_name() -> None:
    referenced = set(re.findall(r"\$\{(\w+)\}", json.dumps(rasa_endpoints_k8s())))
    referenced |= set(re.findall(r"\$\{(\w+)\}", json.dumps(rasa_endpoints_compose())))
    assert referenced >= {"HUIMIN_ACTION_SECRET", "HUIMIN_TRACKER_STORE_URL"}
    for example in (K8S / "secrets" / "rasa.env.example", DEPLOY / "secrets" / "rasa.env.example"):
        assert referenced <= env_example_keys(example), example
    rasa = next(
        doc
        for _, doc in k8s_documents()
        if doc["kind"] == "Deployment" and component(doc) == "rasa"
    )
    assert {"secretRef": {"name": "huimin-rasa-secrets"}} in containers(rasa)[0]["envFrom"]
    assert compose()["services"]["rasa"]["env_file"] == ["secrets/rasa.env"]


def test_internal_urls_name_services_and_their_ports() -> None:
    """HUIMIN_*_URL settings and Rasa's endpoints reach Services that exist, on their ports,
    with TLS where the process serves it; the analytics consumer reads Rasa's queue."""
    documents = [doc for _, doc in k8s_documents()]
    services = {
        doc["metadata"]["name"]: {port["port"] for port in doc["spec"]["ports"]}
        for doc in documents
        if doc["kind"] == "Service"
    }
    settings = next(
        doc["data"]
        for doc in documents
        if doc["kind"] == "ConfigMap" and doc["metadata"]["name"] == "huimin-settings"
    )
    endpoints = rasa_endpoints_k8s()
    urls = {
        "api": settings["HUIMIN_API_URL"],
        "rasa": settings["HUIMIN_RASA_URL"],
        "chroma": settings["HUIMIN_CHROMA_SERVER_URL"],
        "actions": endpoints["action_endpoint"]["url"],
    }
    for service, url in urls.items():
        parsed = urlparse(url)
        assert parsed.hostname == f"{service}.huimin.svc.cluster.local", url
        assert parsed.port in services[service], url
    assert urls["rasa"].startswith("https://")
    assert urls["actions"].startswith("https://")
    for store in ("lock_store", "event_broker"):  # the sample stores' Services
        host = endpoints[store]["url"].split(".")[0]
        assert endpoints[store]["port"] in services[host], store
    assert settings["HUIMIN_EVENT_BROKER_QUEUE"] == endpoints["event_broker"]["queues"][0]
    app_environment = compose()["x-app"]["environment"]
    compose_queues = rasa_endpoints_compose()["event_broker"]["queues"]
    assert app_environment["HUIMIN_EVENT_BROKER_QUEUE"] == compose_queues[0]


# ---- settings and commands -------------------------------------------------------------------
def test_every_huimin_variable_is_a_setting() -> None:
    settings = {f"HUIMIN_{name.upper()}" for name in Settings.model_fields}
    used: dict[str, Path] = {}
    for path in deploy_text_files() + list(DEPLOY.rglob("*.example")):
        for name in re.findall(r"\bHUIMIN_[A-Z0-9_]+\b", path.read_text(encoding="utf-8")):
            used.setdefault(name, path)
    assert len(used) > 20
    unknown = {
        name: str(path)
        for name, path in used.items()
        if name not in settings | RASA_ENVIRONMENT
    }
    assert not unknown, f"not in huimin/settings.py: {unknown}"


def test_every_command_exists() -> None:
    commands = [
        container["command"]
        for _, doc in k8s_documents()
        for container in containers(doc)
        if container.get("command")
    ]
    commands += [
        service["command"]
        for service in compose()["services"].values()
        if isinstance(service.get("command"), list) and service["command"][0] == "python"
    ]
    assert len(commands) > 15
    for command in commands:
        if command[:2] != ["python", "-m"]:
            continue
        module, subcommand = command[2], (command[3:] or [None])[0]
        path = PROJECT_ROOT / Path(*module.split("."))
        source = path / "__main__.py" if path.is_dir() else path.with_suffix(".py")
        assert source.is_file(), f"no module {module}"
        if subcommand:
            # the sub-command is declared (add_parser) in the module's package
            sources = path.rglob("*.py") if path.is_dir() else [source]
            declared = re.compile(rf'add_parser\(\s*"{re.escape(subcommand)}"')
            assert any(declared.search(file.read_text(encoding="utf-8")) for file in sources), (
                f"python -m {module} has no command {subcommand}"
            )


# ---- who reaches whom ------------------------------------------------------------------------
def allowed_sources(policy: dict[str, Any]) -> set[str]:
    sources = set()
    for rule in policy["spec"].get("ingress", []):
        for peer in rule.get("from", []):
            labels = peer.get("podSelector", {}).get("matchLabels", {})
            if "namespaceSelector" in peer:
                sources.add(
                    "namespace:" + "/".join(peer["namespaceSelector"]["matchLabels"].values())
                )
            elif "app.kubernetes.io/component" in labels:
                sources.add(labels["app.kubernetes.io/component"])
            else:
                sources.add("label:" + ",".join(labels))
    return sources


def test_network_policies_let_only_the_api_and_bridges_reach_rasa() -> None:
    policies = {
        doc["metadata"]["name"]: doc for _, doc in k8s_documents() if doc["kind"] == "NetworkPolicy"
    }
    deny = policies["default-deny-ingress"]["spec"]
    assert deny["podSelector"] == {}
    assert deny["policyTypes"] == ["Ingress"]
    assert "ingress" not in deny
    by_target = {}
    for policy in policies.values():
        target = policy["spec"]["podSelector"].get("matchLabels", {})
        if "app.kubernetes.io/component" in target:
            by_target.setdefault(target["app.kubernetes.io/component"], set()).update(
                allowed_sources(policy)
            )
    assert by_target["rasa"] == {"api", "telegram", "wechat"}
    assert by_target["actions"] == {"rasa"}
    assert not any(source.startswith("namespace:") for source in by_target["chroma"])


def test_chroma_is_reached_only_through_the_token_check() -> None:
    """Chroma's server has no authentication: it listens on its loopback, and the only port
    the Service (or Compose's network) reaches is nginx's check of X-Chroma-Token."""
    chroma = next(
        doc
        for _, doc in k8s_documents()
        if doc["kind"] == "StatefulSet" and component(doc) == "chroma"
    )
    by_name = {container["name"]: container for container in containers(chroma)}
    assert by_name["chroma"]["args"][-4:] == ["--host", "127.0.0.1", "--port", "8001"]
    assert not by_name["chroma"].get("ports")
    assert by_name["token-check"]["ports"] == [{"name": "http", "containerPort": 8000}]
    config = next(
        doc["data"]
        for _, doc in k8s_documents()
        if doc["kind"] == "ConfigMap" and doc["metadata"]["name"] == "chroma-token-check"
    )
    services = compose()["services"]
    assert services["chroma"]["command"][-4:] == ["--host", "127.0.0.1", "--port", "8001"]
    assert services["chroma-token-check"]["network_mode"] == "service:chroma"
    configs = compose()["configs"]
    for template, start in (
        (config["chroma.conf.template"], config["start.sh"]),
        (
            configs["chroma-token-check"]["content"].replace("$$", "$"),
            configs["chroma-token-check-start"]["content"].replace("$$", "$"),
        ),
    ):
        assert '"${HUIMIN_CHROMA_TOKEN}" 1;' in template
        assert "if ($huimin_chroma_allowed = 0) { return 401; }" in template
        assert template.count("proxy_pass http://127.0.0.1:8001;") == 2
        # a missing, short or demo token stops the check instead of admitting everyone
        assert "{16,200}" in start
        assert "dev-only-chroma-token" in start
        assert "exit 78" in start


@pytest.mark.parametrize(
    ("token", "status"),
    [
        ("", 78),
        ("too-short", 78),
        ("dev-only-chroma-token", 78),
        ('a-long-enough-token-but-with-a-quote"', 78),
        ("Zq3v8Rk1+Xy/Tt9_Lm-0.pWs=", 0),
    ],
)
def test_the_token_check_refuses_to_start_without_a_real_token(token: str, status: int) -> None:
    config = next(
        doc["data"]
        for _, doc in k8s_documents()
        if doc["kind"] == "ConfigMap" and doc["metadata"]["name"] == "chroma-token-check"
    )
    script = config["start.sh"].replace("exec /docker-entrypoint.sh", "exit 0 #")
    result = subprocess.run(
        ["/bin/sh", "-c", script],
        env={"PATH": "/usr/bin:/bin", "HUIMIN_CHROMA_TOKEN": token},
        capture_output=True,
        check=False,
    )
    assert result.returncode == status, result.stderr


def test_only_the_public_paths_are_published() -> None:
    for _, document in k8s_documents():
        if document["kind"] == "Service":
            assert document["spec"].get("type", "ClusterIP") == "ClusterIP"
    ingress = next(doc for _, doc in k8s_documents() if doc["kind"] == "Ingress")
    routes = {
        path["path"]: path["backend"]["service"]["name"]
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
    }
    assert set(routes.values()) == {"api", "telegram", "wechat"}
    assert routes["/telegram/webhook"] == "telegram"
    assert routes["/wechat/callback"] == "wechat"
    assert {"/staff", "/chat", "/api"} <= set(routes)
    services = compose()["services"]
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"proxy"}
    assert all(str(port).startswith("127.0.0.1:") for port in services["proxy"]["ports"])
    for name in ("rasa", "actions", "chroma", "postgres", "redis", "rabbitmq"):
        assert services[name].get("networks", ["backend"]) == ["backend"], name
    assert compose()["networks"]["backend"]["internal"] is True
