package catalog

// authFields declares the columns of staff log-in security (two-factor
// log-in, lock-out) that hold personal data.
func authFields() []Field { return nil }

// authNonPersonal declares the columns of staff log-in security that hold
// no personal data.
func authNonPersonal() []NonPersonal { return nil }
