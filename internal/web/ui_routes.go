package web

// uiRoutes gathers the routes of the staff UI's screen groups, each kept
// beside its handlers.
func (s *Server) uiRoutes() []route {
	var out []route
	for _, group := range [][]route{
		s.historyRoutes(), s.documentRoutes(), s.candidatePlacementRoutes(), s.payrollRoutes(), s.privacyRoutes(),
		s.clientRoutes(), s.placementRoutes(), s.settingsRoutes(), s.agencyRoutes(), s.permissionRoutes(), s.auditRoutes(), s.cleanupRoutes(), s.registerRoutes(),
		s.loginSecurityRoutes(), s.ssoRoutes(), s.portalRoutes(), s.requestRoutes(), s.privacyStatementRoutes(), s.failedMailRoutes(), s.dashboardRoutes(), s.reportRoutes(),
		s.candidatePortalRoutes(), s.breachRoutes(), s.restrictionRoutes(),
	} {
		out = append(out, group...)
	}
	return out
}
