package kube

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Client GETs objects from the API server. It has no method that writes.
type Client struct {
	cfg  *Config
	http *http.Client
}

// NewClient returns a client for cfg.
func NewClient(cfg *Config) *Client {
	tr := &http.Transport{TLSClientConfig: cfg.TLS, Proxy: http.ProxyFromEnvironment,
		TLSHandshakeTimeout: 10 * time.Second, ResponseHeaderTimeout: 30 * time.Second, ForceAttemptHTTP2: true}
	if cfg.ProxyURL != nil {
		tr.Proxy = http.ProxyURL(cfg.ProxyURL)
	}
	return &Client{cfg: cfg, http: &http.Client{Transport: tr, Timeout: 60 * time.Second}}
}

// Config returns the client's configuration.
func (c *Client) Config() *Config { return c.cfg }

// APIError is an answer of the API server other than 200.
type APIError struct {
	// Path is the request's path, Code the HTTP status, Reason and
	// Message those of the metav1.Status the server sent (if any).
	Path            string
	Code            int
	Reason, Message string
}

func (e *APIError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.Code)
	}
	return fmt.Sprintf("GET %s: %d %s", e.Path, e.Code, msg)
}

// IsNotFound reports whether err is a 404 of the API server.
func IsNotFound(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Code == http.StatusNotFound
}

// IsForbidden reports whether err is a 403 of the API server.
func IsForbidden(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Code == http.StatusForbidden
}

// maxBody bounds one response: a page of 500 objects is far smaller.
const maxBody = 256 << 20

// Get decodes the JSON at path (with query) into out.
func (c *Client) Get(ctx context.Context, path string, query url.Values, out any) error {
	u := c.cfg.Server + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "headless-doctor")
	switch {
	case c.cfg.Token != "":
		req.Header.Set("Authorization", "Bearer "+c.cfg.Token)
	case c.cfg.Username != "":
		req.SetBasicAuth(c.cfg.Username, c.cfg.Password)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("cannot reach the API server of context %q: %w", c.cfg.Context, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		ae := &APIError{Path: path, Code: resp.StatusCode}
		var status struct {
			Reason  string `json:"reason"`
			Message string `json:"message"`
		}
		if json.Unmarshal(body, &status) == nil {
			ae.Reason, ae.Message = status.Reason, status.Message
		}
		if resp.StatusCode == http.StatusUnauthorized {
			ae.Message = "Unauthorized: the credentials of context " + fmt.Sprintf("%q", c.cfg.Context) + " are not accepted"
		}
		return ae
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("GET %s: decoding the answer: %w", path, err)
	}
	return nil
}

// pageSize is how many objects one LIST returns; the rest follow with the
// continue token, as kubectl pages.
const pageSize = 500

// List appends every item of the list at path (all pages) to items.
func List[T any](ctx context.Context, c *Client, path string, query url.Values, items *[]T) error {
	q := url.Values{}
	for k, v := range query {
		q[k] = v
	}
	q.Set("limit", fmt.Sprint(pageSize))
	for {
		var page struct {
			Metadata struct {
				Continue string `json:"continue"`
			} `json:"metadata"`
			Items []T `json:"items"`
		}
		if err := c.Get(ctx, path, q, &page); err != nil {
			return err
		}
		*items = append(*items, page.Items...)
		if page.Metadata.Continue == "" {
			return nil
		}
		q.Set("continue", page.Metadata.Continue)
	}
}

// Path builds an API path: group "" is the core group (/api/v1), others
// /apis/<group>/<version>; namespace "" lists across all namespaces.
func Path(group, version, namespace, resource string) string {
	p := "/api/" + version
	if group != "" {
		p = "/apis/" + group + "/" + version
	}
	if namespace != "" {
		p += "/namespaces/" + url.PathEscape(namespace)
	}
	return p + "/" + resource
}

// ObjectPath is the path of one named object.
func ObjectPath(group, version, namespace, resource, name string) string {
	return Path(group, version, namespace, resource) + "/" + url.PathEscape(strings.TrimSpace(name))
}
