package web

func (s *Server) privacyRoutes() []route { return nil }
