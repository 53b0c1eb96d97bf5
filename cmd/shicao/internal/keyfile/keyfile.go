// Package keyfile writes signing key pairs to disk: the signer key
// readable by its owner only, the verifier key by anyone, neither ever
// overwriting a file (a lost key cannot be made again; an overwritten one
// strands everything it signed), both synced before the caller goes on.
package keyfile

import (
	"fmt"
	"os"
)

// WritePair writes the signer key to keyPath (0600) and the verifier key
// to pubPath (0644), one line each. It refuses, before writing anything,
// if either file exists.
func WritePair(keyPath, pubPath, signer, verifier string) error {
	for _, p := range []string{keyPath, pubPath} {
		if _, err := os.Lstat(p); err == nil {
			return fmt.Errorf("%s exists: refusing to overwrite a key", p)
		}
	}
	if err := create(keyPath, signer+"\n", 0o600); err != nil {
		return err
	}
	return create(pubPath, verifier+"\n", 0o644)
}

// create writes a new file durably; O_EXCL closes the race the check in
// WritePair leaves open.
func create(path, data string, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
