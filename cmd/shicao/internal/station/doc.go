// Package station is the exam workflow at an exam station: one state
// machine that the TUI and the script driver both drive. It enforces the
// rules of the Tai'an notice (泰应急发〔2024〕2号): examiners sign in with a
// certificate of the plan's category valid on the exam day (持证上岗); a
// candidate is examined only on an issued plan for this station's site and
// day, identified by a valid 身份证号; items are drawn reproducibly; only
// equipment registered to this site may be used (考培分离); every reading
// and mark is a durable, hash-chained event; results are signed.
package station
