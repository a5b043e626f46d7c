package catalog

// auditFields declares the columns of the access and audit logs that hold
// personal data.
func auditFields() []Field { return nil }

// auditNonPersonal declares the columns of the access and audit logs that
// hold no personal data.
func auditNonPersonal() []NonPersonal { return nil }
