package generator

import (
	"regexp"
	"strings"
	"sync"
)

// imageRef follows the grammar of container image references
// ([registry[:port]/]path[:tag][@digest]); repositories are lower case. It is
// compiled on first use, not at start-up: most runs take the preset's image.
var imageRef = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^` +
		// optional registry host: a component with a dot or port, or localhost
		`(?:(?P<registry>(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?)/)?` +
		// repository path: lower-case components separated by /, each with . _ __ - separators
		`(?P<path>[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)` +
		`(?::(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?` +
		// digest: the OCI image-spec grammar; the algorithm is checked below
		`(?:@(?P<digest>[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+))?` +
		`$`)
})

// validateImage checks an image reference and that it is pinned: a tag other
// than "latest", or a digest.
func validateImage(ref string) error {
	const allowed = "must be a lower-case image reference pinned to a tag or digest, e.g. mongo:8.0.4"
	if ref == "" {
		return fieldErr(FieldImage, ref, "%s", allowed)
	}
	m := imageRef().FindStringSubmatch(ref)
	if m == nil {
		return fieldErr(FieldImage, ref, "%s", allowed)
	}
	var registry, path, tag, digest string
	for i, name := range imageRef().SubexpNames() {
		switch name {
		case "registry":
			registry = m[i]
		case "path":
			path = m[i]
		case "tag":
			tag = m[i]
		case "digest":
			digest = m[i]
		}
	}
	// A single first component without a dot or port is part of the path
	// (docker.io/library/...), not a registry; the regexp cannot tell, so an
	// upper-case "registry" without a dot or port is an upper-case path.
	if registry != "" && !strings.ContainsAny(registry, ".:") && registry != "localhost" && registry != strings.ToLower(registry) {
		return fieldErr(FieldImage, ref, "repository names must be lower case")
	}
	if len(registry)+len(path) > 255 {
		return fieldErr(FieldImage, ref, "the repository name is %d characters; the limit is 255", len(registry)+len(path))
	}
	switch {
	case digest != "":
		return validateDigest(ref, digest)
	case tag == "":
		return fieldErr(FieldImage, ref, "must name a tag or digest; an untagged image means :latest, which is not reproducible")
	case tag == "latest":
		return fieldErr(FieldImage, ref, "the tag latest is not reproducible; pin a version tag or a digest")
	}
	return nil
}

// digestLengths are the algorithms the OCI image spec registers, with the
// length of their encoded part: lower-case hex digits.
var digestLengths = map[string]int{"sha256": 64, "sha512": 128}

// validateDigest checks a digest (algorithm:encoded) that matched the OCI
// image-spec grammar against its registered algorithms: sha256 with 64
// lower-case hex digits, sha512 with 128.
func validateDigest(ref, digest string) error {
	algorithm, encoded, _ := strings.Cut(digest, ":")
	n, ok := digestLengths[algorithm]
	if !ok {
		return fieldErr(FieldImage, ref, "the digest algorithm %s is not registered by the OCI image spec; use sha256 (64 lower-case hex digits) or sha512 (128)",
			QuoteValue(algorithm))
	}
	switch {
	case strings.Trim(encoded, "0123456789abcdef") != "":
		return fieldErr(FieldImage, ref, "a %s digest is %d lower-case hex digits (0-9, a-f), not %s", algorithm, n, QuoteValue(encoded))
	case len(encoded) != n:
		return fieldErr(FieldImage, ref, "a %s digest is %d lower-case hex digits, not %d", algorithm, n, len(encoded))
	}
	return nil
}
