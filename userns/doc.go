// Package userns gives every burrow command the same user and mount
// namespace without a daemon: the first command starts a small idle holder
// process in a new user+mount namespace, maps it with idmap, and records it;
// later commands join it from the C constructor in userns/nsenter.
//
// Use Ensure at the start of every command that touches storage or
// containers. Do not use it in the container init (it is already inside) or
// in code that must see the host's own mount table.
package userns
