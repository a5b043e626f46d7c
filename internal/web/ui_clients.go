package web

func (s *Server) clientRoutes() []route { return nil }
