package web

func (s *Server) settingsRoutes() []route { return nil }
