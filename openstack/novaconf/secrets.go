package novaconf

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
)

// optionsZed is what hack/nova-options.py extracts from Nova Zed (26.2.2,
// Debian's python3-nova) and the libraries it loads: every option each
// group registers, whether oslo.config declares it secret=True, the groups
// where keystoneauth reads a plugin's options (by auth_type) and those
// options. TestOptionRegistryUpToDate (GPUPASS_ORACLE=1) re-runs the
// script and fails when the file is not its output.
//
//go:embed options_zed.json
var optionsZed []byte

// optionsFile is the JSON of optionsZed.
type optionsFile struct {
	Versions   map[string]*string `json:"versions"`
	Namespaces []string           `json:"namespaces"`
	Groups     map[string]struct {
		Secret []string `json:"secret"`
		Plain  []string `json:"plain"`
	} `json:"groups"`
	AuthGroups  []string `json:"auth_groups"`
	AuthPlugins struct {
		Secret    []string `json:"secret"`
		Plain     []string `json:"plain"`
		Unflagged []struct {
			Plugin, Name, Why string
		} `json:"unflagged"`
	} `json:"auth_plugins"`
	Unflagged []struct {
		Group, Name, Why string
	} `json:"unflagged"`
}

// optionRegistry answers "is this option a secret" by its declaration.
type optionRegistry struct {
	secret, plain             map[Name]bool
	authGroups                map[string]bool
	pluginSecret, pluginPlain map[string]bool
	// secretNames are the names of every secret option of any group or
	// plugin, for the names Nova does not register where they are used.
	secretNames map[string]bool
	// groups are the groups registered.
	groups map[string]bool
	nova   string
}

// registry is optionsZed, read once; the data is part of the program, so
// a broken file is a build defect (TestOptionRegistry catches it first).
var registry = mustLoadRegistry(optionsZed)

func mustLoadRegistry(data []byte) *optionRegistry {
	r, err := loadRegistry(data)
	if err != nil {
		panic(err)
	}
	return r
}

func loadRegistry(data []byte) (*optionRegistry, error) {
	var f optionsFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("options_zed.json: %w", err)
	}
	if len(f.Groups) == 0 || len(f.AuthGroups) == 0 || len(f.AuthPlugins.Secret) == 0 {
		return nil, fmt.Errorf("options_zed.json: no options")
	}
	r := &optionRegistry{
		secret: map[Name]bool{}, plain: map[Name]bool{}, authGroups: map[string]bool{},
		pluginSecret: map[string]bool{}, pluginPlain: map[string]bool{}, secretNames: map[string]bool{},
		groups: map[string]bool{},
	}
	if v := f.Versions["nova"]; v != nil {
		r.nova = *v
	}
	for group, g := range f.Groups {
		r.groups[group] = true
		for _, n := range g.Secret {
			r.secret[Name{group, n}] = true
			r.secretNames[n] = true
		}
		for _, n := range g.Plain {
			r.plain[Name{group, n}] = true
		}
	}
	for _, u := range f.Unflagged {
		k := Name{u.Group, u.Name}
		if !r.plain[k] {
			return nil, fmt.Errorf("options_zed.json: unflagged %s is not a registered option", k)
		}
		delete(r.plain, k)
		r.secret[k] = true
		r.secretNames[u.Name] = true
	}
	for _, g := range f.AuthGroups {
		r.authGroups[g] = true
	}
	for _, n := range f.AuthPlugins.Secret {
		r.pluginSecret[n] = true
		r.secretNames[n] = true
	}
	for _, n := range f.AuthPlugins.Plain {
		r.pluginPlain[n] = true
	}
	for _, u := range f.AuthPlugins.Unflagged {
		if !r.pluginPlain[u.Name] {
			return nil, fmt.Errorf("options_zed.json: unflagged plugin option %s is not a plugin's", u.Name)
		}
		delete(r.pluginPlain, u.Name)
		r.pluginSecret[u.Name] = true
		r.secretNames[u.Name] = true
	}
	return r, nil
}

// declared returns whether Nova declares the option [group]name a secret,
// and whether it declares such an option at all: an option of the group
// (under its name or a deprecated one), or, in a group where keystoneauth
// reads an auth plugin's options, one of a plugin's.
func (r *optionRegistry) declared(group, name string) (secret, known bool) {
	k := Name{Group: normalizeGroup(group), Name: name}
	if k.Group == "" {
		k.Group = "DEFAULT"
	}
	switch {
	case r.secret[k]:
		return true, true
	case r.plain[k]:
		return false, true
	}
	if r.authGroups[k.Group] {
		switch {
		case r.pluginSecret[name]:
			return true, true
		case r.pluginPlain[name]:
			return false, true
		}
	}
	return false, false
}

// IsSecret reports whether the value of option name in group is a secret,
// by what the option is: for every option Nova Zed and the libraries it
// loads register (keystoneauth's plugins in the groups that read them
// included), oslo.config's secret=True, plus the few credentials their
// release forgot to flag ([cache]memcache_password, [vault]root_token_id...;
// see options_zed.json). So [DEFAULT]password_length,
// [libvirt]inject_password, [libvirt]rbd_secret_uuid and
// [service_user]send_service_user_token are not secrets, and
// [neutron]application_credential_secret is.
//
// A name Nova does not register in that group — a misspelling, an option
// an older release read (rabbit_password), a plugin option in a group
// another group's auth_section names — is a value Nova ignores or that
// keystoneauth reads by its name: it is a secret when its name is that of
// a secret option anywhere, or says so (password, passwd, passphrase,
// secret, token, credential, or a word key, pass or pwd). Hiding a value
// Nova ignores costs nothing; showing a leftover password would leak it.
func IsSecret(group, name string) bool {
	if secret, known := registry.declared(group, name); known {
		return secret
	}
	return secretLikeName(name)
}

// secretWords are the words (between "_", "-", "." or " ") of an option
// name that make an unregistered option's value a secret.
var secretWords = map[string]bool{"key": true, "pass": true, "pwd": true}

// secretParts make a word secret wherever they appear in it.
var secretParts = []string{"password", "passwd", "passphrase", "secret", "token", "credential"}

// secretLikeName reports whether the name of an option Nova does not
// register says its value is a secret.
func secretLikeName(name string) bool {
	name = strings.ToLower(name)
	if registry.secretNames[strings.ReplaceAll(name, "-", "_")] {
		return true
	}
	for _, w := range strings.FieldsFunc(name, func(r rune) bool { return r == '_' || r == '-' || r == '.' || r == ' ' }) {
		if secretWords[w] {
			return true
		}
		for _, p := range secretParts {
			if strings.Contains(w, p) {
				return true
			}
		}
	}
	return false
}

// declaredSecret reports whether Nova declares [group]name a secret
// option (see IsSecret), without guessing from names: what a commented-out
// line is judged by.
func declaredSecret(group, name string) bool {
	secret, _ := registry.declared(group, name)
	return secret
}

// backendArgument is oslo.cache's [cache]backend_argument: secret=True,
// each value "<argname>:<value>" given to the dogpile.cache backend.
var backendArgument = Name{Group: "cache", Name: "backend_argument"}
