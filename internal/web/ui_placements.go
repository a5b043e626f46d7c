package web

func (s *Server) placementRoutes() []route { return nil }
