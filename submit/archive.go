package submit

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"

	"github.com/shinsei-app/shinsei/internal/iox"
)

// MaxArchivedPackage caps the download of an archived package: a
// package as sent (at most a procedure's max_package_bytes) plus what the
// service adds to it.
const MaxArchivedPackage = 2 << 30

// ArchivedPackage downloads into w the package the service archived for
// the application arrival (GET /applications/{arrival}/archive): the
// package as sent, with the validation data and archive time-stamps the
// service added. auth proves the right as for Status. An application
// without an archived package is ReasonNotFound.
func (c *Client) ArchivedPackage(ctx context.Context, arrival string, auth Auth, w io.Writer) (int64, error) {
	if arrival == "" {
		return 0, errors.New("submit: no arrival number")
	}
	var n int64
	err := c.do(ctx, call{method: http.MethodGet, path: "/applications/" + url.PathEscape(arrival) + "/archive", header: auth.header(),
		token: auth.Token, accept: MediaASiCE, ok: []int{http.StatusOK}, timeout: 4 * c.timeout}, func(resp *http.Response) error {
		var err error
		n, err = iox.Copy(w, resp.Body, MaxArchivedPackage)
		if errors.Is(err, iox.ErrTooLarge) {
			return badReply("archived package larger than %d bytes", MaxArchivedPackage)
		}
		return err
	})
	return n, err
}
