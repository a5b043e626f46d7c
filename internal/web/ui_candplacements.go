package web

func (s *Server) candidatePlacementRoutes() []route { return nil }
