# Guard docker's irreversible clean-ups, in every pane mode (user policies apply in read
# and write mode alike). Needs the docker tool spec: copy tools/docker.toml to
# ~/.config/failsafe/tools/ and this file to ~/.config/failsafe/policies/, then run
# `failsafe install-shims`.
package failsafe.user

import rego.v1

block contains {
	"id": "user.docker-system-prune",
	"reason": "`docker system prune` deletes every stopped container, unused network and dangling image (with -a every unused image, with --volumes the data volumes too); remove what you no longer need by name instead",
} if {
	input.tool == "docker"
	input.verb == "system"
	input.subverb == "prune"
}

block contains {
	"id": "user.docker-volume-delete",
	"reason": sprintf("`docker volume %s` deletes volumes and the data in them", [input.subverb]),
} if {
	input.tool == "docker"
	input.verb == "volume"
	input.subverb in {"rm", "remove", "prune"}
}

block contains {
	"id": "user.docker-compose-down-volumes",
	"reason": "`docker compose down -v` deletes the project's volumes and the data in them; plain `docker compose down` keeps them",
} if {
	input.tool == "docker"
	input.verb == "compose"
	input.subverb == "down"
	docker_switch_on("volumes")
}

ask contains {
	"id": "user.docker-push",
	"reason": sprintf("`docker push %s` publishes an image to a registry", [concat(" ", input.args)]),
} if {
	input.tool == "docker"
	docker_pushes
}

docker_pushes if input.verb == "push"

docker_pushes if {
	input.verb == "image"
	input.subverb == "push"
}

# A switch given bare or `=true`; `--volumes=false` is off. (Helpers share the package
# with your other policy files, hence the `docker_` prefix.)
docker_switch_on(name) if input.flags[name] == true

docker_switch_on(name) if {
	is_string(input.flags[name])
	not lower(input.flags[name]) in {"false", "0", "f"}
}
