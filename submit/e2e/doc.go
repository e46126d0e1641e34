// Package e2e holds the end-to-end tests of package submit against the
// reference service (sandbox/service): each authentication level filed by
// the right kind of user, and the service's refusals as the client sees
// them. It is a package of its own so that the client's unit tests do not
// depend on the reference service.
package e2e
